// The options of `synchro serve` (and of the console, which takes the same): one schema,
// one defaults object, fed by the flags (strings) and a profile (an object), merged as
// objects and checked once: `{ ...SERVE_DEFAULTS, ...fromProfile, ...fromFlags }`.

import { z } from 'zod'
import { SAMPLE_FORMATS } from '../codec/format.js'
import { LIMITS } from '../codec/limits.js'
import { UsageError } from '../errors.js'
import { loadProfile } from '../profile/load.js'
import type { ShowProfile } from '../profile/schema.js'
import { parseCommand } from './args.js'
import { checkOptions, choice, decimal, deviceBuffer, nameFlag, optionsFromFlags, wholeNumber } from './coerce.js'
import { MAX_SERVER_NAME_CHARS } from '../codec/rig-name.js'
import type { FormatFlags } from './specs.js'
import { checkStdoutMedia, stdoutMedia } from './stdout-media.js'

export const SERVE_HELP = `usage: synchro serve [options]

Stream audio to every rig that joins.

  --transport tcp|udp   transport the show runs on (default tcp); the server listens on
                        both, on the same port, and moves rigs to this one
  --host ADDR           address to listen on (default 0.0.0.0)
  --port N              port to listen on; 0 picks a free one (default 7400)
  --source SPEC         tone[:HZ] | wav:PATH | raw:PATH | raw:- | device[:NAME] (a sound
                        card; the system default without NAME) | none (MIDI only)
                        (default tone:440)
  --device-buffer N     the sound card's buffer, in frames or with ms (2.5ms) (default 128)
  --bit-exact           never resample or round a captured card's samples: a card that
                        cannot deliver the show's rate and format is refused; a WAV
                        that would be converted (8-bit, A-law, µ-law, 24-in-32, 32-bit
                        integer, 64-bit float) is refused
  --rate HZ             sample rate for tone and raw sources (default 48000)
  --channels N          channels for tone and raw sources (default 2)
  --format F            s16le | s24le | f32le, for tone and raw sources (default s16le);
                        a 32-bit integer WAV plays as s24le or f32le (default f32le)
  --latency MS          the show's latency: every rig plays each sample this long after
                        the server has it, all at the same instant (default 20)
  --frames N            frames per packet (default 128: see docs/BENCHMARKS.md)
  --clients N           start (INIT) once N rigs have joined (default 1); 0 waits for an
                        init command (needs --control -)
  --duration S          stream S seconds of audio, then terminate
  --name NAME           the server's name, shown to rigs (default: host name)
  --ping-ms N           keep-alive interval; a silent rig is dropped after 1.5x (default 2000)
  --mtu BYTES           path MTU for UDP audio; larger packets are split (default 1500)
  --redundancy N        UDP: each datagram also carries the previous N packets (default 0)
  --control -           read operator commands from stdin, one per line: status, init,
                        switch udp|tcp, panic, terminate [REASON], help; each answers
                        with an event
  --midi-in SPEC        MIDI into the show, to every rig (repeatable): port:NAME,
                        virtual:NAME, file:PATH.mid, raw:PATH|-; with --source none
                        the show ends when the last file or pipe does
  --midi-out SPEC       where MIDI from rigs goes (repeatable): port:NAME, virtual:NAME,
                        log, file:PATH.mid, raw:PATH|-
  --profile PATH        show profile (JSON or YAML, see profiles/); flags override it
  --json                one JSON event per line on stdout (on stderr when
                        --midi-out raw:- puts rigs' MIDI there)
`

/** The flags as parseArgs reads them: every value a string, so the schema coerces it. */
export const SERVE_FLAGS = {
  transport: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  source: { type: 'string' },
  'device-buffer': { type: 'string' },
  'bit-exact': { type: 'boolean' },
  rate: { type: 'string' },
  channels: { type: 'string' },
  format: { type: 'string' },
  frames: { type: 'string' },
  latency: { type: 'string' },
  clients: { type: 'string' },
  duration: { type: 'string' },
  name: { type: 'string' },
  'ping-ms': { type: 'string' },
  mtu: { type: 'string' },
  redundancy: { type: 'string' },
  control: { type: 'string' },
  'midi-in': { type: 'string', multiple: true },
  'midi-out': { type: 'string', multiple: true },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export const TRANSPORTS = ['tcp', 'udp'] as const

/** Every option of `synchro serve`, in the order the flags are checked. Defaults: SERVE_DEFAULTS. */
export const ServeOptionsSchema = z.object({
  /** The transport the show runs on; the server listens on both and moves rigs to this one. @default 'tcp' */
  transport: choice('transport', TRANSPORTS),
  /** Path MTU for UDP audio (bytes); larger packets are split. @default 1500 */
  mtu: wholeNumber('mtu', LIMITS.mtuBytes),
  /** UDP: each datagram also carries the previous N packets. @default 0 */
  redundancy: wholeNumber('redundancy', LIMITS.redundancy),
  /** Address to listen on. @default '0.0.0.0' */
  host: z.string(),
  /** Port to listen on, TCP and UDP alike; 0 picks a free one. @default 7400 */
  port: wholeNumber('port', LIMITS.port),
  /** Sample rate of tone and raw sources (Hz). @default 48000 */
  rate: wholeNumber('rate', LIMITS.rateHz),
  /** Channels of tone and raw sources. @default 2 */
  channels: wholeNumber('channels', LIMITS.channels),
  /** Sample format of tone and raw sources. @default 's16le' */
  format: choice('format', SAMPLE_FORMATS as ['s16le', 's24le', 'f32le']),
  /** The show's latency (ms): every rig plays show position P at its server time plus this. @default 20 */
  latency: decimal('latency', LIMITS.latencyMs),
  /** Frames per packet. @default 128 */
  frames: wholeNumber('frames', LIMITS.framesPerPacket),
  /** `-`: operator commands on stdin. @default undefined (none) */
  control: z
    .string()
    .transform((value, ctx) => {
      if (value === '-') return true as const
      ctx.addIssue({ code: 'custom', message: `--control takes - (stdin), got '${value}'` })
      return z.NEVER
    })
    .optional(),
  /** What the show plays: tone[:HZ], wav:PATH, raw:PATH|-, device[:NAME] or none. @default 'tone:440' */
  source: z.string(),
  /** MIDI into the show, to every rig. @default [] */
  midiIn: z.array(z.string()),
  /** Where MIDI from rigs goes. @default [] */
  midiOut: z.array(z.string()),
  /** Start (INIT) once this many rigs have joined; 0 waits for an init command. @default 1 (0 in the console) */
  clients: wholeNumber('clients', LIMITS.clients),
  /** Stream this many seconds after INIT, then terminate. @default undefined (until the source ends) */
  duration: decimal('duration', LIMITS.durationS).optional(),
  /** Keep-alive interval (ms); a silent rig is dropped after 1.5x. @default 2000 */
  pingMs: wholeNumber('ping-ms', LIMITS.pingIntervalMs),
  /** The server's name, shown to rigs. @default undefined (the host name) */
  name: nameFlag('name', MAX_SERVER_NAME_CHARS).optional(),
  /** A capture card's buffer, in frames or ms. @default 128 */
  deviceBuffer: deviceBuffer(),
  /** Never resample or round a captured card's or a WAV's samples. @default false */
  bitExact: z.boolean(),
  /** The show profile these options were merged with. @default undefined */
  profile: z.string().optional(),
  /** One JSON event per line on stdout (on stderr when --midi-out raw:- puts rigs' MIDI there). @default false */
  json: z.boolean(),
})

export type ServeOptionsInput = z.input<typeof ServeOptionsSchema>
export type ServeOptions = z.output<typeof ServeOptionsSchema>

/** Every default of `synchro serve` in one object, spread under what the profile and the flags give. */
export const SERVE_DEFAULTS = {
  transport: 'tcp',
  mtu: LIMITS.mtuBytes.default,
  redundancy: LIMITS.redundancy.default,
  host: '0.0.0.0',
  port: LIMITS.port.default,
  rate: LIMITS.rateHz.default,
  channels: LIMITS.channels.default,
  format: 's16le',
  frames: LIMITS.framesPerPacket.default,
  latency: LIMITS.latencyMs.default,
  source: 'tone:440',
  midiIn: [],
  midiOut: [],
  clients: LIMITS.clients.default,
  pingMs: LIMITS.pingIntervalMs.default,
  deviceBuffer: LIMITS.deviceBufferFrames.default,
  bitExact: false,
  json: false,
} as const satisfies Partial<ServeOptionsInput>

/** `serve` runs headless; the console's operator is at the keyboard (and starts the show on a key). */
export type ShowMode = 'serve' | 'console'

/** What the console changes: the operator starts the show, so no rig count does by default. */
const CONSOLE_DEFAULTS = { clients: 0 } as const satisfies Partial<ServeOptionsInput>

/**
 * A profile as serve's options. A WAV source sets the show's format itself, so the
 * profile's format is left out for one; in the console the listed rigs do not start the
 * show (the operator does), unless the profile gives `clients`.
 */
export function serveOptionsFromProfile(p: ShowProfile, mode: ShowMode): Partial<ServeOptionsInput> {
  const clientsFromRigs = p.clients !== undefined || mode !== 'console'
  return {
    transport: p.transport,
    host: p.host,
    port: p.port,
    source: p.source,
    name: p.name,
    frames: p.format.framesPerPacket,
    ...(clientsFromRigs ? { clients: p.clients ?? Math.max(1, p.rigs.length) } : {}),
    ...(p.source.startsWith('wav:') ? {} : { rate: p.format.rateHz, channels: p.format.channels, format: p.format.sampleFormat }),
    ...(p.durationS !== undefined ? { duration: p.durationS } : {}),
    ...(p.mtu !== undefined ? { mtu: p.mtu } : {}),
    ...(p.latencyMs !== undefined ? { latency: p.latencyMs } : {}),
    ...(p.redundancy !== undefined ? { redundancy: p.redundancy } : {}),
    ...(p.midi.inputs.length ? { midiIn: p.midi.inputs } : {}),
    ...(p.midi.outputs.length ? { midiOut: p.midi.outputs } : {}),
  }
}

/** Serve's options once checked against each other: whether stdin carries operator commands, which format fields were asked for. */
export type ServeSettings = Omit<ServeOptions, 'control'> & {
  mode: ShowMode
  /** Operator commands arrive: `--control -` on serve, the keyboard in the console. */
  control: boolean
  /** Which format fields the operator gave (flag or profile): a WAV source refuses to differ from them. */
  explicit: FormatFlags['explicit']
}

/** Merges defaults, profile and flags (flags win), checks them once, and checks them against each other. */
export function serveSettings(fromProfile: Partial<ServeOptionsInput>, fromFlags: Record<string, unknown>, mode: ShowMode): ServeSettings {
  const given = { ...fromProfile, ...fromFlags }
  const o = checkOptions(ServeOptionsSchema, { ...SERVE_DEFAULTS, ...(mode === 'console' ? CONSOLE_DEFAULTS : {}), ...given })
  const usesStdin = (spec: string): boolean => spec === 'raw:-'
  if (mode === 'console' && (o.control !== undefined || usesStdin(o.source) || o.midiIn.some(usesStdin))) {
    throw new UsageError('BAD_FLAG', 'the console reads the keyboard: --control - and raw:- (stdin) are for synchro serve')
  }
  const control = o.control === true || mode === 'console'
  const stdinUsers = [
    ...(control ? ['--control -'] : []),
    ...(usesStdin(o.source) ? ['--source raw:-'] : []),
    ...o.midiIn.filter(usesStdin).map(() => '--midi-in raw:-'),
  ]
  if (stdinUsers.length > 1) {
    throw new UsageError('BAD_FLAG', `${stdinUsers.join(' and ')} all read stdin: give all but one a file or FIFO path`)
  }
  const stdoutUsers = stdoutMedia(o)
  if (mode === 'console' && stdoutUsers.length > 0) {
    throw new UsageError('BAD_FLAG', `the console draws on the terminal: ${stdoutUsers[0]} (stdout) is for synchro serve`)
  }
  checkStdoutMedia(stdoutUsers)
  if (o.clients === 0 && !control) throw new UsageError('BAD_FLAG', '--clients 0 waits for an init command: add --control - to send it')
  const explicit = { rateHz: 'rate' in given, channels: 'channels' in given, format: 'format' in given }
  return { ...o, mode, control, explicit }
}

/** `serve`'s (or the console's) command line, with its profile if it names one; null for --help. */
export function parseServeOptions(argv: string[], mode: ShowMode): ServeSettings | null {
  const { values } = parseCommand('serve', argv, SERVE_FLAGS, false)
  if (values.help) return null
  const fromProfile = values.profile === undefined ? {} : serveOptionsFromProfile(loadProfile(values.profile), mode)
  return serveSettings(fromProfile, optionsFromFlags(values), mode)
}
