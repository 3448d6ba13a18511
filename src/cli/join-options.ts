// The options of `synchro join`: one schema, one defaults object, fed by the flags
// (strings) and this rig's entry in a profile (an object), merged as objects and checked
// once: `{ ...JOIN_DEFAULTS, ...fromProfile, ...fromFlags }`.

import { z } from 'zod'
import { LIMITS } from '../codec/limits.js'
import { UsageError } from '../errors.js'
import { MIDI_TIMINGS } from '../midi/delivery.js'
import { MIDI_KINDS, type MidiKind } from '../midi/message.js'
import { MidiRouteSchema, parseChannelList, parseMapping, type MidiRoute } from '../midi/route.js'
import { loadProfile } from '../profile/load.js'
import { rigOf } from '../profile/rig-of.js'
import type { RigProfile, ShowProfile } from '../profile/schema.js'
import { parseCommand, parseHostPort, refuseRetired } from './args.js'
import { checkStdoutMedia, stdoutMedia } from './stdout-media.js'
import { checkOptions, choice, decimal, deviceBuffer, nameFlag, optionsFromFlags, wholeNumber } from './coerce.js'
import { MAX_RIG_NAME_CHARS } from '../codec/rig-name.js'
import { TRANSPORTS } from './serve-options.js'

export const JOIN_HELP = `usage: synchro join HOST:PORT [options]

Join a show as a rig and play what the server streams.

  --name NAME           this rig's name, shown to the operator (default: host name)
  --transport tcp|udp   transport to join on (default tcp); the server may move the rig
  --sink SPEC           null | wav:PATH | raw:PATH | raw:- | device[:NAME] (a sound card;
                        the system default without NAME) (default null)
  --device-buffer N     the sound card's buffer, in frames or with ms (2.5ms) (default 128)
  --bit-exact           never resample or round the show's samples for the card: a card
                        that cannot take the show's rate and format is refused
  --latency MS          this rig's own latency, out of step with the other rigs on
                        purpose (default: the show's, serve --latency)
  --offset MS           play this much later (+, a speaker further away) or earlier
                        (-, a card's own output delay) than the show time (default 0)
  --realtime-priority N the real-time (SCHED_FIFO) priority of the threads that write a
                        pipe when due, so a busy core cannot hold a write for a scheduler
                        tick; 0 for the normal scheduler (default 10)
  --adaptive            deepen the latency when audio comes late (lossy Wi-Fi); off: a
                        late packet is concealed and the rig stays on the show clock
  --max-latency MS      with --adaptive, the deepest it may grow (default 200)
  --connect-timeout MS  give up reaching the server after this long (default 3000)
  --retry               when the server is lost (or not up yet), keep trying every second
                        and rejoin; the recording goes on in the same sink
  --midi-out SPEC       where the show's MIDI goes (repeatable): port:NAME, virtual:NAME,
                        log, file:PATH.mid, raw:PATH|-
  --midi-in SPEC        MIDI from this rig to the server (repeatable): port:NAME,
                        virtual:NAME, file:PATH.mid, raw:PATH|-
  --midi-channels LIST  pass only these channels, e.g. 1-4,10 (default all)
  --midi-types LIST     pass only these kinds, e.g. note-on,note-off,cc (default all
                        but active-sensing)
  --midi-map-channel A:B  play channel A on channel B (repeatable)
  --midi-map-cc A:B     turn controller A into controller B (repeatable)
  --midi-no-clock       drop MIDI clock and transport (start, stop, continue, position)
  --midi-timing show|immediate  show: the show's MIDI leaves with the audio of the same
                        show position, on the show clock; immediate: at once, the lowest
                        latency, for forwarding controllers (default show)
  --profile PATH        the show's profile: this rig's entry (by --name, or the only
                        one) sets its sink, latency and MIDI; flags override it
  --json                one JSON event per line (on stderr when --sink raw:- or
                        --midi-out raw:- puts media on stdout)
`

/** Flags that are gone, with what to use instead (a show script written for an older Synchro gets told). */
export const RETIRED_JOIN_FLAGS = {
  'midi-jitter':
    'MIDI now leaves with the audio of its show position by default (--midi-timing show); --midi-timing immediate sends it at once',
} as const

/** The flags as parseArgs reads them: every value a string, so the schema coerces it. */
export const JOIN_FLAGS = {
  name: { type: 'string' },
  transport: { type: 'string' },
  sink: { type: 'string' },
  latency: { type: 'string' },
  offset: { type: 'string' },
  'realtime-priority': { type: 'string' },
  adaptive: { type: 'boolean' },
  'max-latency': { type: 'string' },
  'connect-timeout': { type: 'string' },
  retry: { type: 'boolean' },
  'midi-out': { type: 'string', multiple: true },
  'midi-in': { type: 'string', multiple: true },
  'device-buffer': { type: 'string' },
  'bit-exact': { type: 'boolean' },
  'midi-channels': { type: 'string' },
  'midi-types': { type: 'string' },
  'midi-map-channel': { type: 'string', multiple: true },
  'midi-map-cc': { type: 'string', multiple: true },
  'midi-no-clock': { type: 'boolean' },
  'midi-timing': { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** A flag's own parser (channel lists, FROM:TO maps) with its message behind the flag's name. */
function parsedBy<T>(flag: string, parse: (text: string) => T) {
  return (text: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(text)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `--${flag}: ${(err as Error).message}` })
      return z.NEVER
    }
  }
}

/** "1:10" flags (repeatable) or a profile's { "1": 10 }: a remap of channels or controllers. */
function remap(flag: string, max: number, what: 'channel' | 'controller') {
  const one = parsedBy(flag, (m) => parseMapping(m, max, what))
  return z
    .union([z.array(z.string()), z.record(z.string(), z.number())])
    .transform((maps, ctx) => (Array.isArray(maps) ? Object.fromEntries(maps.map((m) => one(m, ctx))) : maps))
}

/** A flag's text goes through its parser; a profile's value is typed already. */
const typed =
  <T>(parse: (text: string, ctx: z.RefinementCtx) => T) =>
  (value: string | T, ctx: z.RefinementCtx): T =>
    typeof value === 'string' ? parse(value, ctx) : value

const midiKinds = (text: string, ctx: z.RefinementCtx): MidiKind[] => {
  const kinds = text.split(',').map((k) => k.trim())
  const unknown = kinds.find((k) => !(MIDI_KINDS as readonly string[]).includes(k))
  if (unknown === undefined) return kinds as MidiKind[]
  ctx.addIssue({ code: 'custom', message: `--midi-types: unknown kind '${unknown}' (kinds: ${MIDI_KINDS.join(', ')})` })
  return z.NEVER
}

/** Every option of `synchro join`, in the order the flags are checked. Defaults: JOIN_DEFAULTS. */
export const JoinOptionsSchema = z.object({
  /** The transport to join on; the server may move the rig to the show's. @default 'tcp' */
  transport: choice('transport', TRANSPORTS),
  /** This rig's own latency (ms), knowingly out of step with the show. @default undefined (the show's, from INIT) */
  latency: decimal('latency', LIMITS.latencyMs).optional(),
  /** Play this much later (+) or earlier (-) than the show time (ms). @default 0 */
  offset: decimal('offset', LIMITS.offsetMs),
  /** The SCHED_FIFO priority of the rig's media threads; 0: the normal scheduler. @default 10 */
  realtimePriority: wholeNumber('realtime-priority', LIMITS.realtimePriority),
  /** Deepen the latency when audio comes late (lossy Wi-Fi) instead of concealing it. @default false */
  adaptive: z.boolean(),
  /** With --adaptive, the deepest the latency may grow (ms). @default undefined (max(200, latency)) */
  maxLatency: wholeNumber('max-latency').optional(),
  /** Give up reaching the server after this long (ms). @default 3000 */
  connectTimeout: wholeNumber('connect-timeout', LIMITS.connectTimeoutMs),
  /** Where the show's audio goes: null, wav:PATH, raw:PATH|-, device[:NAME]. @default 'null' */
  sink: z.string(),
  /** This rig's name, shown to the operator. @default undefined (the host name) */
  name: nameFlag('name', MAX_RIG_NAME_CHARS).optional(),
  /** Keep trying every second when the server is lost or not up yet. @default false */
  retry: z.boolean(),
  /** Pass only these channels ("1-4,10" or [1, 2, 3, 4, 10]). @default undefined (all) */
  midiChannels: z
    .union([z.string(), z.array(z.number())])
    .transform(typed(parsedBy('midi-channels', parseChannelList)))
    .optional(),
  /** Pass only these kinds ("note-on,cc" or a list). @default undefined (all but active sensing) */
  midiTypes: z
    .union([z.string(), z.array(z.enum(MIDI_KINDS as [MidiKind, ...MidiKind[]]))])
    .transform(typed(midiKinds))
    .optional(),
  /** Play channel A on channel B. @default {} */
  midiMapChannel: remap('midi-map-channel', 16, 'channel'),
  /** Turn controller A into controller B. @default {} */
  midiMapCc: remap('midi-map-cc', 127, 'controller'),
  /** Drop MIDI clock and transport. @default false */
  midiNoClock: z.boolean(),
  /** When the show's MIDI leaves this rig: with the audio of its show position, or at once. @default 'show' */
  midiTiming: choice('midi-timing', MIDI_TIMINGS),
  /** Where the show's MIDI goes on this rig. @default [] */
  midiOut: z.array(z.string()),
  /** This rig's MIDI to the server. @default [] */
  midiIn: z.array(z.string()),
  /** A sound card's buffer, in frames or ms. @default 128 */
  deviceBuffer: deviceBuffer(),
  /** Never resample or round the show's samples for the card. @default false */
  bitExact: z.boolean(),
  /** The show profile this rig's entry came from. @default undefined */
  profile: z.string().optional(),
  /** One JSON event per line (on stderr when --sink raw:- or --midi-out raw:- puts media on stdout). @default false */
  json: z.boolean(),
})

export type JoinOptionsInput = z.input<typeof JoinOptionsSchema>
export type JoinOptions = z.output<typeof JoinOptionsSchema>

/** Every default of `synchro join` in one object, spread under what the profile and the flags give. */
export const JOIN_DEFAULTS = {
  transport: 'tcp',
  offset: LIMITS.offsetMs.default,
  realtimePriority: LIMITS.realtimePriority.default,
  adaptive: false,
  connectTimeout: LIMITS.connectTimeoutMs.default,
  sink: 'null',
  retry: false,
  midiMapChannel: {},
  midiMapCc: {},
  midiNoClock: false,
  midiTiming: 'show',
  midiOut: [],
  midiIn: [],
  deviceBuffer: LIMITS.deviceBufferFrames.default,
  bitExact: false,
  json: false,
} as const satisfies Partial<JoinOptionsInput>

/** This rig's entry as join's options; the show's transport where the rig sets none (the show's latency comes in INIT). */
export function joinOptionsFromProfile(p: ShowProfile, rig: RigProfile): Partial<JoinOptionsInput> {
  const m = rig.midi
  return {
    name: rig.name,
    sink: rig.sink,
    transport: rig.transport ?? p.transport,
    ...(rig.latencyMs !== undefined ? { latency: rig.latencyMs } : {}),
    ...(rig.offsetMs !== undefined ? { offset: rig.offsetMs } : {}),
    ...(rig.realtimePriority !== undefined ? { realtimePriority: rig.realtimePriority } : {}),
    ...(rig.adaptive ? { adaptive: true } : {}),
    ...(rig.maxLatencyMs !== undefined ? { maxLatency: rig.maxLatencyMs } : {}),
    ...(rig.retry ? { retry: true } : {}),
    ...(m.outputs.length ? { midiOut: m.outputs } : {}),
    ...(m.inputs.length ? { midiIn: m.inputs } : {}),
    ...(m.channels ? { midiChannels: m.channels } : {}),
    ...(m.types ? { midiTypes: m.types } : {}),
    midiMapChannel: m.mapChannel,
    midiMapCc: m.mapController,
    ...(m.clock ? {} : { midiNoClock: true }),
    ...(m.timing !== undefined ? { midiTiming: m.timing } : {}),
  }
}

/** Join's options once checked against each other, with the server's address and the MIDI route. */
export type JoinSettings = Omit<JoinOptions, 'maxLatency'> & {
  host: string
  port: number
  /** The jitter buffer's ceiling: never below the latency. */
  maxLatency: number
  route: MidiRoute
}

/** Merges defaults, the rig's profile entry and flags (flags win), checks them once. */
export function joinSettings(
  fromProfile: Partial<JoinOptionsInput>,
  fromFlags: Record<string, unknown>,
  positionals: string[],
): JoinSettings {
  if (positionals.length > 1) throw new UsageError('BAD_FLAG', `join takes one HOST:PORT, got also '${positionals[1]}'`)
  const server = parseHostPort(positionals[0])
  const o = checkOptions(JoinOptionsSchema, { ...JOIN_DEFAULTS, ...fromProfile, ...fromFlags })
  checkStdoutMedia(stdoutMedia(o))
  const ceiling = LIMITS.maxLatencyMs
  const floor = o.latency ?? LIMITS.latencyMs.default
  const maxLatency = o.maxLatency ?? Math.max(ceiling.default, floor)
  if (maxLatency < floor || maxLatency > ceiling.max) {
    throw new UsageError('BAD_FLAG', `--max-latency must be between ${floor} and ${ceiling.max}, got ${maxLatency}`)
  }
  const route = MidiRouteSchema.parse({
    clock: !o.midiNoClock,
    mapChannel: o.midiMapChannel,
    mapController: o.midiMapCc,
    ...(o.midiChannels !== undefined ? { channels: o.midiChannels } : {}),
    ...(o.midiTypes !== undefined ? { types: o.midiTypes } : {}),
  })
  return { ...o, ...server, maxLatency, route }
}

/** `join`'s command line, with this rig's profile entry if it names a profile; null for --help. */
export function parseJoinOptions(argv: string[]): JoinSettings | null {
  refuseRetired('join', argv, RETIRED_JOIN_FLAGS)
  const parsed = parseCommand('join', argv, JOIN_FLAGS, true)
  const { values } = parsed
  const positionals: string[] = [...parsed.positionals]
  let fromProfile: Partial<JoinOptionsInput> = {}
  if (values.profile !== undefined) {
    // The show's profile: this rig's entry (by --name, or the only one); HOST:PORT from its address.
    const profile = loadProfile(values.profile)
    fromProfile = joinOptionsFromProfile(profile, rigOf(profile, values.name))
    if (positionals.length === 0 && profile.address !== undefined) positionals.push(profile.address)
  }
  if (values.help) return null
  return joinSettings(fromProfile, optionsFromFlags(values), positionals)
}
