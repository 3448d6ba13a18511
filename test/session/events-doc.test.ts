// The committed event documents are what the schemas generate: a field added to an event
// without `npm run docs` fails here, so docs/EVENTS.md never falls behind the program.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventsJsonSchema, eventsMarkdown } from '../../src/session/events-doc.js'
import { RigEventSchemas, ShowEventSchemas, ToolEventSchemas } from '../../src/session/events.js'

const docs = join(import.meta.dirname, '..', '..', 'docs')

test('docs/EVENTS.md is what the schemas generate (run npm run docs)', () => {
  assert.fixture(readFileSync(join(docs, 'EVENTS.md'), 'utf8'), eventsMarkdown())
})

test('docs/events.schema.json is what the schemas generate (run npm run docs)', () => {
  assert.equal(JSON.parse(readFileSync(join(docs, 'events.schema.json'), 'utf8')), eventsJsonSchema())
})

test('every event of every side has its own section in the document', () => {
  const md = eventsMarkdown()
  const names = (schemas: readonly { def?: unknown }[]) =>
    schemas.map((s) => {
      const shape = s as { shape?: { event: { value: string } }; options?: Array<{ shape: { event: { value: string } } }> }
      return shape.shape?.event.value ?? shape.options![0]!.shape.event.value
    })
  const show = md.slice(md.indexOf('## The show'), md.indexOf('## A rig'))
  const rig = md.slice(md.indexOf('## A rig'), md.indexOf('## Other commands'))
  for (const n of names(ShowEventSchemas)) assert.ok(show.includes(`### \`${n}\``), `show: ${n}`)
  for (const n of names(RigEventSchemas)) assert.ok(rig.includes(`### \`${n}\``), `rig: ${n}`)
  for (const n of names(ToolEventSchemas)) assert.ok(md.includes(`### \`${n}\``), `tool: ${n}`)
})

test.run()
