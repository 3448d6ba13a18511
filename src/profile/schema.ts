// A show profile: one file that sets a show up (server side) and each rig (join --profile).
// This zod schema is the single source of truth: it validates, fills defaults, yields the
// TypeScript types and, through z.toJSONSchema, the JSON Schema editors use
// (`synchro profile schema`).

import { z } from 'zod'
import { MIDI_TIMINGS } from '../midi/delivery.js'
import { MidiRouteSchema } from '../midi/route.js'
import { SAMPLE_FORMATS } from '../codec/format.js'
import { LIMITS, type Limit } from '../codec/limits.js'
import { MAX_RIG_NAME_CHARS, MAX_SERVER_NAME_CHARS, nameSchema } from '../codec/rig-name.js'

const ms = (l: Limit) => z.number().int().min(l.min, `expected ${l.min}-${l.max} ms`).max(l.max, `expected ${l.min}-${l.max} ms`)
/** A whole number in a range, with the range in the message ("expected 0-65535"). */
const within = (l: Limit) => z.number().int().min(l.min, `expected ${l.min}-${l.max}`).max(l.max, `expected ${l.min}-${l.max}`)
const FORMAT_DEFAULTS = {
  rateHz: LIMITS.rateHz.default,
  channels: LIMITS.channels.default,
  sampleFormat: 's16le',
  framesPerPacket: LIMITS.framesPerPacket.default,
} as const
const Spec = (what: string, kinds: string) =>
  z.string().regex(new RegExp(`^(${kinds})(:.+)?$`), `expected a ${what} spec (${kinds.split('|').join(', ')})`)

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
  /** `join --midi-timing`: "show" (with the audio of the same show position) or "immediate" (at once, the lowest latency). Default "show". */
  timing: z.enum(MIDI_TIMINGS).optional(),
})

export const RigProfileSchema = z
  .object({
    name: nameSchema(MAX_RIG_NAME_CHARS, 'expected a rig name'),
    sink: SinkSpec.default('null'),
    transport: z.enum(['tcp', 'udp']).optional(),
    /** This rig's own latency, knowingly out of step with the show (join --latency). */
    latencyMs: ms(LIMITS.latencyMs).optional(),
    /** Play this much later (+) or earlier (-) than the show time (join --offset). */
    offsetMs: z.number().min(LIMITS.offsetMs.min).max(LIMITS.offsetMs.max).optional(),
    /** The SCHED_FIFO priority of the rig's media threads, 0 for none (join --realtime-priority). */
    realtimePriority: z.number().int().min(LIMITS.realtimePriority.min).max(LIMITS.realtimePriority.max).optional(),
    /** Deepen the latency when audio comes late (join --adaptive). */
    adaptive: z.boolean().optional(),
    maxLatencyMs: ms(LIMITS.maxLatencyMs).optional(),
    retry: z.boolean().default(false),
    midi: RigMidiSchema.default(RigMidiSchema.parse({})),
  })
  .strict()

export const ShowProfileSchema = z
  .object({
    $schema: z.string().optional(),
    name: nameSchema(MAX_SERVER_NAME_CHARS, 'expected a show name'),
    /** When to use this profile: JSON has no comments, so it says it here. */
    description: z.string().max(2000).optional(),
    transport: z.enum(['tcp', 'udp']).default('tcp'),
    host: z.string().min(1).default('0.0.0.0'),
    port: within(LIMITS.port).default(LIMITS.port.default),
    /** How rigs reach the server ("10.0.0.5:7400"), for join --profile without HOST:PORT. */
    address: z
      .string()
      .regex(/^(?:\[[^\]]+\]|[^:]*):\d+$/, 'expected HOST:PORT')
      .optional(),
    source: AudioSourceSpec.default('tone:440'),
    format: z
      .object({
        rateHz: within(LIMITS.rateHz).default(FORMAT_DEFAULTS.rateHz),
        channels: within(LIMITS.channels).default(FORMAT_DEFAULTS.channels),
        sampleFormat: z.enum(SAMPLE_FORMATS as ['s16le', 's24le', 'f32le']).default(FORMAT_DEFAULTS.sampleFormat),
        framesPerPacket: within(LIMITS.framesPerPacket).default(FORMAT_DEFAULTS.framesPerPacket),
      })
      .strict()
      .default(FORMAT_DEFAULTS),
    /** Start when this many rigs have joined; default: how many rigs are listed (at least 1). */
    clients: z.number().int().min(LIMITS.clients.min).max(LIMITS.clients.max).optional(),
    durationS: z.number().positive().optional(),
    mtu: within(LIMITS.mtuBytes).optional(),
    redundancy: within(LIMITS.redundancy).optional(),
    /** The show's latency (serve --latency): every rig plays each sample this long after the server has it. */
    latencyMs: ms(LIMITS.latencyMs).optional(),
    midi: z
      .object({
        inputs: z.array(MidiInSpec).default([]),
        outputs: z.array(MidiOutSpec).default([]),
      })
      .strict()
      .default({ inputs: [], outputs: [] }),
    rigs: z.array(RigProfileSchema).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Set<string>()
    p.rigs.forEach((r, i) => {
      if (seen.has(r.name))
        ctx.addIssue({ code: 'custom', path: ['rigs', i, 'name'], message: `expected a unique rig name, '${r.name}' is listed twice` })
      seen.add(r.name)
    })
  })

export type ShowProfile = z.output<typeof ShowProfileSchema>
export type RigProfile = z.output<typeof RigProfileSchema>

/** The JSON Schema of a show profile, for editors ("$schema" in a profile). */
export function profileJsonSchema(): unknown {
  return z.toJSONSchema(ShowProfileSchema, { io: 'input', unrepresentable: 'any' })
}
