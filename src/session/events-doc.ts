// docs/EVENTS.md and docs/events.schema.json, generated from the event schemas so the
// document is the program's own description of what it prints (`npm run docs` writes
// them; test/session/events-doc.test.ts fails when the committed copies fall behind).

import { z } from 'zod'
import { EVENTS_VERSION, RigEventSchemas, ShowEventSchemas, ToolEventSchemas } from './events.js'

type Json = { [key: string]: unknown }

/** One JSON Schema for all three sides, shared sub-objects under $defs. */
export function eventsJsonSchema(): Json {
  const side = (schemas: readonly z.ZodType[]) => z.union([...schemas] as [z.ZodType, z.ZodType, ...z.ZodType[]])
  const all = z.strictObject({ show: side(ShowEventSchemas), rig: side(RigEventSchemas), tool: side(ToolEventSchemas) })
  const s = z.toJSONSchema(all, { target: 'draft-2020-12', unrepresentable: 'any' }) as Json
  const props = s.properties as Json
  return {
    $schema: s.$schema,
    $id: `https://synchro.invalid/events/v${EVENTS_VERSION}.json`,
    title: `Synchro --json events, version ${EVENTS_VERSION}`,
    description:
      'One object per line. `show`: synchro serve and synchro tui; `rig`: synchro join; `tool`: synchro devices and synchro profile check.',
    $defs: s.$defs,
    show: props.show,
    rig: props.rig,
    tool: props.tool,
  }
}

interface Row {
  field: string
  type: string
  about: string
}

function typeOf(p: Json): string {
  if (typeof p.$ref === 'string') {
    const name = p.$ref.split('/').at(-1)!
    return `[${name}](#${name.toLowerCase()})`
  }
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``
  if (Array.isArray(p.enum)) return p.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ')
  const alts = (p.anyOf ?? p.oneOf) as Json[] | undefined
  if (alts) return alts.map(typeOf).join(' \\| ')
  if (Array.isArray(p.type)) return p.type.map((t) => typeOf({ ...p, type: t })).join(' \\| ')
  if (p.type === 'array') return `${typeOf((p.items ?? {}) as Json)}[]`
  if (p.type === 'integer') return 'integer'
  if (typeof p.type === 'string') return p.type === 'object' && p.additionalProperties && !p.properties ? 'object (any keys)' : p.type
  return 'any'
}

function rows(schema: Json, prefix = ''): Row[] {
  const out: Row[] = []
  const props = (schema.properties ?? {}) as Record<string, Json>
  const required = new Set((schema.required ?? []) as string[])
  for (const [name, p] of Object.entries(props)) {
    if (prefix === '' && name === 'event') continue
    const field = `\`${prefix}${name}\`${required.has(name) ? '' : ' (optional)'}`
    out.push({ field, type: typeOf(p), about: String(p.description ?? '') })
    // Inline objects (not shared ones, which have their own section) are listed field by field.
    if (p.type === 'object' && p.properties) out.push(...rows(p, `${prefix}${name}.`))
    const items = p.items as Json | undefined
    if (p.type === 'array' && items?.type === 'object' && items.properties) out.push(...rows(items, `${prefix}${name}[].`))
    for (const alt of (p.anyOf ?? p.oneOf ?? []) as Json[])
      if (alt.type === 'object' && alt.properties) out.push(...rows(alt, `${prefix}${name}.`))
  }
  return out
}

function table(rs: Row[]): string {
  if (rs.length === 0) return '_No fields besides `event`._\n'
  return (
    [
      '| field | type | meaning |',
      '| --- | --- | --- |',
      ...rs.map((r) => `| ${r.field} | ${r.type} | ${r.about.replace(/\|/g, '\\|')} |`),
    ].join('\n') + '\n'
  )
}

function eventSections(union: Json): string {
  const parts: string[] = []
  for (const alt of (union.anyOf ?? union.oneOf ?? []) as Json[]) {
    // A nested union (control: ok true or false) is one event with two shapes.
    const shapes = ((alt.oneOf ?? alt.anyOf) as Json[] | undefined) ?? [alt]
    const name = String(((shapes[0]!.properties as Json).event as Json).const)
    parts.push(`### \`${name}\`\n\n${String(alt.description ?? shapes[0]!.description ?? '')}\n`)
    for (const shape of shapes) {
      if (shapes.length > 1) {
        const ok = ((shape.properties as Json).ok as Json | undefined)?.const
        parts.push(`With \`ok: ${String(ok)}\`: ${String(shape.description ?? '')}\n`)
      }
      parts.push(table(rows(shape)))
    }
  }
  return parts.join('\n')
}

/** The whole of docs/EVENTS.md. */
export function eventsMarkdown(): string {
  const s = eventsJsonSchema()
  const defs = (s.$defs ?? {}) as Record<string, Json>
  return [
    `# Synchro's \`--json\` events (version ${EVENTS_VERSION})`,
    '',
    'Generated from `src/session/events.ts` by `npm run docs`; do not edit by hand. The same',
    'schemas as JSON Schema: [events.schema.json](events.schema.json).',
    '',
    'With `--json` every command prints one JSON object per line on stdout (on stderr when',
    'stdout carries raw audio or MIDI, e.g. `--sink raw:-`); `event` says which. Without',
    '`--json` the same events are printed as one readable line each, and some (the per-second',
    '`stats`) only every fifth time or not at all. Fields may be added in a later version of',
    'the same number; a field renamed or removed, or a change of meaning, is a new version.',
    'Problems go to stderr as `synchro: …` lines, never as events.',
    '',
    '## The show: `synchro serve`, `synchro tui`',
    '',
    eventSections(s.show as Json),
    '## A rig: `synchro join`',
    '',
    eventSections(s.rig as Json),
    '## Other commands',
    '',
    eventSections(s.tool as Json),
    '## Shared objects',
    '',
    ...Object.entries(defs).map(([name, d]) => `### ${name}\n\n${String(d.description ?? '')}\n\n${table(rows(d))}`),
    'The fields of `Report` are those of the REPORT message in [PROTOCOL.md](PROTOCOL.md).',
    '',
  ].join('\n')
}
