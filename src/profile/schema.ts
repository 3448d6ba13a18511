// A show profile: one file that sets a show up (server side) and each rig (join --profile).
// This zod schema is the single source of truth: it validates, fills defaults, yields the
// TypeScript types and, through z.toJSONSchema, the JSON Schema editors use
// (`synchro profile schema`).

import { z } from 'zod'
import { MidiRouteSchema } from '../midi/route.js'
import { SAMPLE_FORMATS } from '../codec/format.js'

const ms = (max: number) => z.number().int().min(0, `expected 0-${max} ms`).max(max, `expected 0-${max} ms`)
const Spec = (what: string, kinds: string) => z.string().regex(new RegExp(`^(${kinds})(:.+)?$`), `expected a ${what} spec (${kinds.split('|').join(', ')})`)

const AudioSourceSpec = Spec('source', 'tone|wav|raw|none|device')
const SinkSpec = Spec('sink', 'null|wav|raw|device')
const MidiInSpec = Spec('MIDI input', 'port|virtual|file|raw')
const MidiOutSpec = Spec('MIDI output', 'port|virtual|log|file|raw')

/** A rig's MIDI: its outputs and inputs, and the routing (MidiRouteSchema) of what it plays. */
export const RigMidiSchema = MidiRouteSchema.extend({
  /** Where the show's MIDI goes on this rig. */
  outputs: z.array(MidiOutSpec).default([]),
  /** This rig's controllers, sent to the server. */
  inputs: z.array(MidiInSpec).default([]),
  /** Deliver at show time plus this (ms) instead of at once. */
  jitterMs: ms(1000).optional(),
})

export const RigProfileSchema = z.object({
  name: z.string().min(1, 'expected a rig name').max(64).regex(/^[^\x00-\x1f\x7f]+$/, 'printable characters only'),
  sink: SinkSpec.default('null'),
  transport: z.enum(['tcp', 'udp']).optional(),
  latencyMs: ms(10000).optional(),
  maxLatencyMs: ms(10000).optional(),
  retry: z.boolean().default(false),
  midi: RigMidiSchema.default(RigMidiSchema.parse({})),
}).strict()

export const ShowProfileSchema = z.object({
  $schema: z.string().optional(),
  name: z.string().min(1, 'expected a show name').max(128),
  /** When to use this profile: JSON has no comments, so it says it here. */
  description: z.string().max(2000).optional(),
  transport: z.enum(['tcp', 'udp']).default('tcp'),
  host: z.string().min(1).default('0.0.0.0'),
  port: z.number().int().min(0, 'expected 0-65535').max(65535, 'expected 0-65535').default(7400),
  /** How rigs reach the server ("10.0.0.5:7400"), for join --profile without HOST:PORT. */
  address: z.string().regex(/^(?:\[[^\]]+\]|[^:]*):\d+$/, 'expected HOST:PORT').optional(),
  source: AudioSourceSpec.default('tone:440'),
  format: z.object({
    rateHz: z.number().int().min(8000, 'expected 8000-384000').max(384000, 'expected 8000-384000').default(48000),
    channels: z.number().int().min(1, 'expected 1-64').max(64, 'expected 1-64').default(2),
    sampleFormat: z.enum(SAMPLE_FORMATS as ['s16le', 's24le', 'f32le']).default('s16le'),
    framesPerPacket: z.number().int().min(16, 'expected 16-16384').max(16384, 'expected 16-16384').default(128),
  }).strict().default({ rateHz: 48000, channels: 2, sampleFormat: 's16le', framesPerPacket: 128 }),
  /** Start when this many rigs have joined; default: how many rigs are listed (at least 1). */
  clients: z.number().int().min(0).max(1000).optional(),
  durationS: z.number().positive().optional(),
  mtu: z.number().int().min(576, 'expected 576-65535').max(65535, 'expected 576-65535').optional(),
  redundancy: z.number().int().min(0, 'expected 0-16').max(16, 'expected 0-16').optional(),
  /** The rigs' default latency (each rig may set its own). */
  latencyMs: ms(10000).optional(),
  midi: z.object({
    inputs: z.array(MidiInSpec).default([]),
    outputs: z.array(MidiOutSpec).default([]),
  }).strict().default({ inputs: [], outputs: [] }),
  rigs: z.array(RigProfileSchema).default([]),
}).strict().superRefine((p, ctx) => {
  const seen = new Set<string>()
  p.rigs.forEach((r, i) => {
    if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['rigs', i, 'name'], message: `expected a unique rig name, '${r.name}' is listed twice` })
    seen.add(r.name)
  })
})

export type ShowProfile = z.output<typeof ShowProfileSchema>
export type RigProfile = z.output<typeof RigProfileSchema>

/** The JSON Schema of a show profile, for editors ("$schema" in a profile). */
export function profileJsonSchema(): unknown {
  return z.toJSONSchema(ShowProfileSchema, { io: 'input', unrepresentable: 'any' })
}
