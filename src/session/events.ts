// What Synchro prints for machines: with --json, one object per line, `event` naming which.
// This file is the contract scripts and tests rely on, as profiles/schema.json is for
// profiles: one zod schema per event, a discriminated union per side (`ShowEvent` for
// serve and the console, `RigEvent` for join), and the same schemas generate
// docs/EVENTS.md and docs/events.schema.json (scripts/events-doc.mjs). Adding a field is
// compatible; renaming or removing one is a new EVENTS_VERSION.
//
// Objects are strict: a field the code emits and this file does not list fails the
// schema test, so the document cannot fall behind the program.

import { z } from 'zod'
import { ReportSchema, SYNC_STATES } from '../codec/messages.js'
import { SAMPLE_FORMATS, type AudioFormat } from '../codec/format.js'
import type { Levels } from '../audio/levels.js'
import type { DeviceSinkStats } from '../audio/sink.js'
import type { DeviceSourceStats } from '../audio/source.js'
import type { RigClockStats, RigMidiStats, RigReport, RigStats, RigSyncView, ServerMidiStats, ServerStats, ServerSummary } from './stats.js'

/** Bumped when an event's field is renamed or removed, or its meaning changes. */
export const EVENTS_VERSION = 1

const count = z.number().int().min(0)
/** The REPORT a rig sends twice a second (codec/messages.ts), as the server shows it. */
const HeardSchema = ReportSchema.meta({
  id: 'Report',
  description: "A rig's receiver report: loss, late, concealed, jitter, buffer, MIDI.",
})
const ms = z.number()
const transportName = z.enum(['tcp', 'udp'])
const text = z.string()
const rigName = z.string().describe("The rig's name.")
const remote = z.string().describe("The rig's address, ADDR:PORT.")
const reason = z.string().describe('Why, in words a stage tech reads.')
const endCode = z.string().describe('Why, as a code scripts can branch on (operator, duration, end-of-source, source-error, timeout, …).')
const position = count.describe('Show position: sample frames since INIT.')
const description = z.string().describe('The card, as the operator would name it.')

export const AudioFormatSchema = z
  .strictObject({
    rateHz: z.number().int().describe('Sample rate, Hz.'),
    channels: z.number().int().describe('Channels per frame.'),
    format: z.enum(SAMPLE_FORMATS as ['s16le', 's24le', 'f32le']).describe('Sample format on the wire.'),
    framesPerPacket: z.number().int().describe('Frames in each audio packet.'),
  })
  .meta({ id: 'AudioFormat', description: "The show's audio format." })

export const LevelsSchema = z
  .strictObject({
    peakDb: z.array(z.number()).describe('Peak per channel, dBFS (falls back at 20 dB/s; -90 is silence).'),
    rmsDb: z.array(z.number()).describe('RMS per channel over ~300 ms, dBFS.'),
  })
  .meta({ id: 'Levels', description: "The source's level meters." })

export const ServerMidiStatsSchema = z
  .strictObject({
    messagesIn: count.describe("Messages from the server's MIDI inputs into the show."),
    messagesOut: count.describe("Messages from rigs out of the server's MIDI outputs."),
    invalidBytes: count.describe('Invalid bytes skipped on raw MIDI inputs.'),
    expired: count.describe('Messages given up on before every UDP rig acknowledged them.'),
    released: count.describe('Note-offs and sustain-offs sent for what departed rigs left held.'),
  })
  .meta({ id: 'ServerMidiStats', description: "The show's MIDI counters." })

const syncState = z
  .enum(SYNC_STATES)
  .describe(
    'no-clock: no clock estimate or timeline yet; in-time: frames leave at their show time; late: audio arrives after its play time (the path is slower than the latency).',
  )

/** What a rig says of its sync state (REPORT's `sync`): the rig's stats and the server's view both carry it. */
const syncReportShape = {
  state: syncState,
  errorMs: z.number().min(0).nullable().describe('How far from the show time its frames may leave, ms; null before it has a clock.'),
  lateMs: z.number().min(0).describe('How late audio arrived after its play time, the worst of the last second, ms (0: in time).'),
  latencyMs: z.number().min(0).describe("The latency it plays at, ms: the show's, or its own join --latency (then knowingly out of step)."),
  offsetMs: z.number().describe('join --offset: it plays this much later (+) or earlier (-) than the show time, ms.'),
}

const rigSyncViewShape = {
  ...syncReportShape,
  outOfStepMs: z
    .number()
    .describe(
      "How far from the show it plays, ms: (its latency − the show's) + its offset; 0 in step, otherwise knowingly out of step (own latency or offset).",
    ),
}
export const RigSyncViewSchema = z
  .strictObject(rigSyncViewShape)
  .meta({ id: 'RigSyncView', description: "A rig's sync state as the server shows it: its REPORT's, and how far it plays from the show." })

export const RigReportSchema = z
  .strictObject({
    name: text.describe("The rig's name."),
    remote: text.describe('Its address, ADDR:PORT.'),
    phase: text.describe('Its session phase on the server (handshake, ready, streaming, …).'),
    transport: text.describe('The transport it is on now.'),
    switchingTo: text.nullable().describe('Set while the rig is being moved to another transport.'),
    rttMs: ms.nullable().describe('Keep-alive round trip, ms; null before the first.'),
    framesSent: count.describe('Audio frames sent to it since it joined, across switches.'),
    bytesSent: count.describe('Bytes sent to it.'),
    framesDropped: count.describe('Frames dropped because it could not keep up.'),
    queuedBytes: count.describe('Bytes waiting in its send queue.'),
    retransmits: count.describe('Control messages sent again because no ACK came (UDP).'),
    heard: HeardSchema.nullable().describe("The rig's own receiver report (loss, late, jitter, buffer), null until the first."),
    midiIn: count.describe('MIDI messages received from this rig.'),
    muted: z.boolean().describe('The operator muted it (it gets silence; MIDI goes on).'),
    silentMs: ms.describe('Since the server last heard from it, ms.'),
    sync: RigSyncViewSchema.nullable().describe("Whether it keeps the show's time, from its latest REPORT; null until it says."),
  })
  .meta({ id: 'RigReport', description: "The server's view of one rig." })

const serverStatsShape = {
  phase: text.describe("The show's phase: listening, streaming, terminating, ended."),
  uptimeMs: ms.describe('Since the show started listening, ms.'),
  position: count.describe('Show position: sample frames since INIT.'),
  showLatencyMs: z.number().min(0).describe("The show's latency (serve --latency), ms: what every rig plays at unless it sets its own."),
  packetsBroadcast: count.describe('Audio packets sent (once per packet, whatever the number of rigs).'),
  levels: LevelsSchema,
  midi: ServerMidiStatsSchema,
  timeline: z
    .strictObject({
      sourceDriftPpm: z
        .number()
        .describe("The source's clock against the server's, ppm (+: the source runs fast), fitted from the timeline's envelope."),
      steps: count.describe('Times the source slipped (paused and came back late) and the timeline re-anchored.'),
      readLagMs: z
        .number()
        .describe("How late the source's packets typically reach the server past the timeline, ms; taken off the server's MIDI stamps."),
    })
    .meta({ id: 'TimelineStats', description: 'Where the source sits on the server clock: what every rig is sent in INIT and TIMELINE.' }),
  rigs: z.array(RigReportSchema).describe('Every rig in the show now.'),
}
export const ServerStatsSchema = z
  .strictObject(serverStatsShape)
  .meta({ id: 'ServerStats', description: 'The show and every rig, as `stats` and `status` give them.' })

export const ServerSummarySchema = z.strictObject({
  reason: text.describe('Why the show ended, in words.'),
  code: text.describe('Why, as a code: operator, duration, end-of-source, source-error, …'),
  durationMs: ms.describe('From INIT to the end, ms.'),
  packetsBroadcast: count.describe('Audio packets sent.'),
  framesBroadcast: count.describe('Frames of audio sent.'),
  rigsJoined: count.describe('Rigs that joined over the whole show.'),
  midi: ServerMidiStatsSchema,
  rigs: z.array(RigReportSchema).describe('Every rig that took part, with its final figures.'),
})

export const DeviceSinkStatsSchema = z
  .strictObject({
    driftPpm: z
      .number()
      .describe(
        "The card's measured rate, ppm (+: fast): against the show clock once the rig has one, before that against the frames it is given.",
      ),
    framesInserted: count.describe('Single frames repeated to follow the card (it played early).'),
    framesDropped: count.describe('Single frames dropped to follow the card (it played late).'),
    syncErrorMs: z
      .number()
      .nullable()
      .describe(
        'How late frames leave the card against the show clock (+: late, -: early), ms, filtered; null without a show clock or before it is measured.',
      ),
    hardResyncs: count.describe(
      'Times the card was far off the show clock (over 5 ms, or over 2 ms late for 1.3 s) and was skipped or padded with silence at once.',
    ),
    queuedFrames: count.describe('Frames written and not yet taken by the card.'),
    framesSkipped: count.describe(
      'Frames that never reached the card: due before they could leave it on the show clock, skipped to catch up with it at once (a hard resync), more than a few card buffers without a show clock, or played while the card was away after a fault.',
    ),
    framesPadded: count.describe(
      'Frames of silence put before audio to move it later at once: the card was early on the show clock (its first alignment, or a hard resync).',
    ),
    conversion: text.nullable().describe("How the show's format reaches the card when it would not take it as it is."),
    reopens: count.describe('Times the card was reopened after a fault.'),
    fault: text.nullable().describe("The card's fault, while it has one."),
  })
  .meta({ id: 'DeviceSinkStats', description: "A sound-card sink's figures." })

export const DeviceSourceStatsSchema = z
  .strictObject({
    conversion: text
      .nullable()
      .describe(
        "How the card's format becomes the show's, and by whom, when the card does not deliver the show's (`48000 Hz f32le -> 48000 Hz s16le (converted by Synchro)`).",
      ),
    samplesChanged: count.describe('Samples that conversion changed (rounded between integer steps, or clipped): 0 is bit-exact.'),
    reopens: count.describe('Times the card was reopened after a fault.'),
    fault: text.nullable().describe("The card's fault, while it has one."),
  })
  .meta({ id: 'DeviceSourceStats', description: "A capture card's figures (serve --source device)." })

export const RigMidiStatsSchema = z
  .strictObject({
    received: count.describe('Messages received from the server, in order, once each.'),
    out: count.describe("Messages sent to this rig's MIDI outputs (after routing)."),
    lost: count.describe('Messages the server gave up on before they arrived (held notes were released).'),
    late: count.describe(
      'With --midi-timing show: messages that arrived after their show time, sent at once (a path slower than the latency).',
    ),
    duplicates: count.describe('Copies dropped (repetition over UDP).'),
    released: count.describe('Note-offs and sustain-offs sent to release held notes.'),
    sent: count.describe('Messages this rig sent to the server.'),
  })
  .meta({ id: 'RigMidiStats', description: "A rig's MIDI counters." })

export const RigClockStatsSchema = z
  .strictObject({
    offsetMs: z.number().describe("The server's clock minus this rig's, ms (both monotonic: a difference of origins, not wall time)."),
    rttMs: z.number().min(0).describe('The lowest round trip among the recent time exchanges, ms.'),
    driftPpm: z.number().describe("The server's clock rate against this rig's, ppm (positive: the server's runs fast)."),
    errorMs: z
      .number()
      .min(0)
      .describe('How far the estimated server time may be from the real one, ms: the true offset lies within ±errorMs.'),
    samples: count.describe('Time exchanges completed this session, across transport switches.'),
    steps: count.describe('Times the estimate stepped (beyond 4 ms) instead of slewing at 500 ppm.'),
  })
  .meta({ id: 'RigClockStats', description: "The rig's estimate of the server's clock (docs/SYNC.md)." })

export const RigSyncStatsSchema = z
  .strictObject({
    ...syncReportShape,
    showLatencyMs: z.number().min(0).nullable().describe("The show's latency (serve --latency) from INIT, ms; null before INIT."),
  })
  .meta({ id: 'RigSyncStats', description: 'Whether a rig plays on the show clock, and how far from it (docs/SYNC.md).' })

const rigStatsShape = {
  framesReceived: count.describe('Audio frames received.'),
  framesPlayed: count.describe("Frames written to the sink, concealed ones included: the sink's length."),
  framesConcealed: count.describe('Frames made up for lost or late packets.'),
  packetsReceived: count.describe('Audio packets received, copies included.'),
  packetsLost: count.describe('RFC 3550 cumulative loss.'),
  packetsLate: count.describe('Packets that arrived after their play time.'),
  packetsDuplicate: count.describe('Copies of packets already received: dropped.'),
  underruns: count.describe('Times the sink ran dry.'),
  latencyTrims: count.describe('Times the latency governor pulled the schedule back toward --latency.'),
  jitterMs: z.number().describe('RFC 3550 interarrival jitter, ms.'),
  bufferMs: z.number().describe('Audio waiting to be played, ms.'),
  depthMs: z.number().describe("UDP: the jitter buffer's depth above the fastest transit, ms."),
  phase: text.describe("The rig's session phase."),
  transport: text.describe('The transport it is on now.'),
  rttMs: ms.nullable().describe('Keep-alive round trip, ms; null before the first.'),
  packetsRecovered: count.describe('Audio packets recovered from redundant copies (UDP with --redundancy).'),
  switches: count.describe('Transport switches completed.'),
  midi: RigMidiStatsSchema,
  device: DeviceSinkStatsSchema.nullable().describe("A sound-card sink's figures, null for other sinks."),
  clock: RigClockStatsSchema.nullable().describe("The server's clock as this rig estimates it; null before the first time exchange."),
  sync: RigSyncStatsSchema,
}
export const RigStatsSchema = z.strictObject(rigStatsShape)

// ---- the show's events (serve, tui) ----

const ev = <N extends string, S extends z.ZodRawShape>(name: N, shape: S, about: string) =>
  z.strictObject({ event: z.literal(name), ...shape }).describe(about)

const controlOk = z.strictObject({
  event: z.literal('control'),
  ok: z.literal(true).describe('The command was carried out.'),
  command: text.describe('The command as the operator typed it.'),
  message: text.describe('What was done, in words.'),
  status: ServerStatsSchema.optional().describe("With `status`: the show's stats."),
})
const controlFailed = z.strictObject({
  event: z.literal('control'),
  ok: z.literal(false).describe('The command was refused.'),
  command: text.describe('The command as the operator typed it.'),
  error: text.describe('Why the command was not carried out.'),
})

const midiEvent = ev(
  'midi',
  {
    data: z.array(z.number().int().min(0).max(255)).describe("The message's bytes."),
    position: count.describe('Show position (sample frames since INIT) where it entered the show.'),
  },
  'A MIDI message out of a `--midi-out log` output.',
)

const deviceFault = ev('device-fault', { reason }, 'The sound card failed; it is reopened every second.')
const deviceRestored = ev('device-restored', { description }, 'The sound card is back.')

export const ShowEventSchemas = [
  ev(
    'listening',
    {
      transport: transportName.describe('The transport the show runs on.'),
      host: text.describe('The address listened on.'),
      port: z.number().int().describe('The port (TCP and UDP share it).'),
      format: AudioFormatSchema,
      mtu: z.number().int().describe('Path MTU for UDP audio, bytes.'),
      redundancy: count.describe('UDP: earlier packets carried again in each datagram.'),
      source: text.describe('The audio source, in words (`tone 440 Hz`, `wav show.wav`, …).'),
      conversion: text
        .nullable()
        .describe(
          "How the source's samples reach the show's format when the file is in none of them (`8-bit unsigned -> s16le (lossless)`, `big-endian (RIFX), byte order swapped (lossless)`); null: sent as they are.",
        ),
      warnings: z
        .array(text)
        .describe(
          'What the operator should know of the source before the show, one line each (a WAV cut short: how long it says and how long it holds).',
        ),
      midi: z.array(text).describe('The MIDI inputs and outputs, in words.'),
      clients: count.describe('Rigs awaited before INIT (0: the operator starts the show).'),
    },
    'The show is listening for rigs.',
  ),
  ev(
    'joined',
    {
      name: rigName,
      remote,
      late: z.boolean().describe('Joined after INIT: plays from the live position.'),
      meta: z.record(z.string(), z.unknown()).describe('What the rig says of itself (host, platform, version, sink).'),
    },
    'A rig joined.',
  ),
  ev('left', { name: rigName, remote, reason }, 'A rig left or was dropped.'),
  ev('rejected', { remote, reason }, 'A connection was refused (bad handshake, name taken, version).'),
  ev('init', { rigs: z.array(text).describe('The rigs streaming.'), position }, 'INIT: the show started streaming.'),
  ev('terminate', { reason, code: endCode }, 'TERMINATE: the show is ending.'),
  ev(
    'switch',
    { to: transportName.describe('The transport the show moves to.'), rigs: z.array(text).describe('The rigs asked to move.') },
    'The show is moving to another transport.',
  ),
  ev(
    'switched',
    { name: rigName, from: text.describe('The transport it left.'), to: transportName.describe('The transport it is on now.'), remote },
    'A rig moved to the other transport.',
  ),
  ev(
    'switch-failed',
    { name: rigName, to: transportName.describe('Where it was asked to go.'), reason },
    'A rig could not move and stays where it is.',
  ),
  ev(
    'muted',
    { name: rigName, muted: z.boolean().describe('True: it gets silence (MIDI goes on); false: it plays again.') },
    'A rig was muted or unmuted.',
  ),
  ev(
    'sync',
    { name: rigName, from: syncState.describe('Its sync state before.'), ...rigSyncViewShape },
    "A rig's sync state changed: it went late, came back in time, or found or lost the show clock (once per change, not per report).",
  ),
  deviceFault,
  deviceRestored,
  ev(
    'stats',
    {
      ...serverStatsShape,
      udpStrangerDatagrams: count.describe('Datagrams from strangers (not a CONNECT, no session): counted, never let in.'),
      device: DeviceSourceStatsSchema.nullable().describe("The capture card's figures (serve --source device), null for other sources."),
    },
    'Every second: the show and every rig.',
  ),
  ev(
    'summary',
    { ...ServerSummarySchema.shape, rateHz: z.number().int().describe("The show's sample rate, Hz (frames to seconds).") },
    'At exit: the whole show.',
  ),
  z
    .discriminatedUnion('ok', [
      controlOk.describe('The answer to an operator command (`--control -`, the console).'),
      controlFailed.describe('A command that was refused.'),
    ])
    .describe('The answer to an operator command: `ok` true with what was done, or false with why not.'),
  midiEvent,
] as const

// ---- a rig's events (join) ----

export const RigEventSchemas = [
  ev(
    'handshake',
    {
      server: text.describe("The server's name."),
      rate: z.number().int().describe('Sample rate, Hz.'),
      channels: z.number().int().describe('Channels per frame.'),
      format: z.enum(SAMPLE_FORMATS as ['s16le', 's24le', 'f32le']).describe('Sample format on the wire.'),
      frames: z.number().int().describe('Frames per packet.'),
      sessionId: z.number().int().describe("The show's session id."),
      host: text.describe("The server's address as given to join."),
      port: z.number().int().describe("The server's port."),
      name: rigName,
      sink: text.describe('What the rig plays into, in words.'),
    },
    'The rig joined the show.',
  ),
  ev(
    'init',
    {
      position: count.describe('The show position it starts playing at.'),
      latencyMs: ms.describe('How far behind the live position it plays, ms.'),
    },
    'INIT: the rig starts playing.',
  ),
  ev('terminate', { reason, code: endCode }, 'TERMINATE: the server ended the show.'),
  ev(
    'silent',
    { silentMs: ms.describe('Since the server was last heard, ms.'), timeoutMs: ms.describe('When the session gives up, ms.') },
    'The server went quiet.',
  ),
  ev('recovered', { silentMs: ms.describe('How long it was silent, ms.') }, 'The server is heard again.'),
  ev('switch', { to: transportName.describe('The transport to move to.') }, 'The server asks this rig to move to another transport.'),
  ev(
    'switched',
    { from: text.describe('The transport it left.'), to: transportName.describe('The transport it is on now.') },
    'The rig moved.',
  ),
  ev(
    'switch-failed',
    { to: transportName.describe('Where it was asked to go.'), reason, transport: text.describe('The transport it stays on.') },
    'The rig could not move and stays.',
  ),
  ev('stats', rigStatsShape, 'Every second while streaming.'),
  ev(
    'retrying',
    {
      reason,
      stage: z.enum(['connect', 'session']).describe('`connect`: the server could not be reached; `session`: the session with it ended.'),
    },
    'With --retry: the session ended or the server is unreachable; trying again in 1 s.',
  ),
  midiEvent,
  ev('device-started', { description }, 'The sound card plays.'),
  ev(
    'priority',
    {
      thread: z
        .enum(['playout', 'midi-out'])
        .describe("`playout`: the thread that writes a pipe's audio when due; `midi-out`: a MIDI pipe's writer."),
      policy: z.enum(['fifo', 'normal']).describe('`fifo`: real-time (SCHED_FIFO) at `priority`; `normal`: the normal scheduler.'),
      priority: count.describe('The SCHED_FIFO priority, 0 with the normal scheduler.'),
      reason: text.optional().describe('With `normal`: why (not permitted, turned off, not Linux).'),
    },
    "A media thread's scheduling, once, when it starts (join --realtime-priority).",
  ),
  deviceFault,
  deviceRestored,
  ev(
    'summary',
    {
      ok: z.boolean().describe('A graceful TERMINATE (exit 0).'),
      reason,
      code: endCode,
      sessions: count.describe('Sessions joined (more than one with --retry).'),
      ...rigStatsShape,
    },
    "At exit: the rig's figures.",
  ),
] as const

// ---- the other commands' --json output ----

export const ToolEventSchemas = [
  ev(
    'devices',
    {
      midi: z.union([
        z.strictObject({ available: z.literal(true), backend: text, inputs: z.array(text), outputs: z.array(text) }),
        z.strictObject({ available: z.literal(false), backend: text, reason: text }),
      ]),
      audio: z.union([
        z.strictObject({
          available: z.literal(true),
          devices: z.array(
            z.strictObject({
              id: z.number().int(),
              name: text,
              hostApi: text,
              inputChannels: count,
              outputChannels: count,
              defaultRateHz: z.number(),
              defaultLowInputLatencyMs: z.number(),
              defaultLowOutputLatencyMs: z.number(),
              supportedRatesHz: z.strictObject({ input: z.array(z.number()), output: z.array(z.number()) }).optional(),
            }),
          ),
        }),
        z.strictObject({ available: z.literal(false), reason: text }),
      ]),
    },
    '`synchro devices --json`: MIDI ports and sound cards, or why there are none.',
  ),
  ev(
    'profile',
    {
      ok: z.literal(true),
      name: text,
      transport: transportName,
      port: z.number().int(),
      source: text,
      rigs: z.array(text),
      midiInputs: count,
    },
    '`synchro profile check --json`: the profile is valid.',
  ),
] as const

export const ShowEventSchema = z.discriminatedUnion('event', [...ShowEventSchemas])
export const RigEventSchema = z.discriminatedUnion('event', [...RigEventSchemas])
export const ToolEventSchema = z.discriminatedUnion('event', [...ToolEventSchemas])

export type ShowEvent = z.infer<typeof ShowEventSchema>
export type RigEvent = z.infer<typeof RigEventSchema>
export type ToolEvent = z.infer<typeof ToolEventSchema>
export type ShowEventName = ShowEvent['event']
export type RigEventName = RigEvent['event']

// The stats interfaces in stats.ts are what the runners build; these checks fail to compile
// if a schema above and its interface drift apart in either direction.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Check<T extends true> = T
export type SchemasMatchInterfaces = [
  Check<Same<z.infer<typeof AudioFormatSchema>, { -readonly [K in keyof AudioFormat]: AudioFormat[K] }>>,
  Check<Same<z.infer<typeof LevelsSchema>, Levels>>,
  Check<Same<z.infer<typeof ServerMidiStatsSchema>, ServerMidiStats>>,
  Check<Same<z.infer<typeof RigSyncViewSchema>, RigSyncView>>,
  Check<Same<z.infer<typeof RigReportSchema>, RigReport>>,
  Check<Same<z.infer<typeof ServerStatsSchema>, ServerStats>>,
  Check<Same<z.infer<typeof ServerSummarySchema>, ServerSummary>>,
  Check<Same<z.infer<typeof DeviceSinkStatsSchema>, DeviceSinkStats>>,
  Check<Same<z.infer<typeof DeviceSourceStatsSchema>, DeviceSourceStats>>,
  Check<Same<z.infer<typeof RigMidiStatsSchema>, RigMidiStats>>,
  Check<Same<z.infer<typeof RigClockStatsSchema>, RigClockStats>>,
  Check<Same<z.infer<typeof RigStatsSchema>, RigStats>>,
]

/** Which side printed a line, for the checks. */
export type EventSide = 'show' | 'rig' | 'tool'

const SCHEMA_OF = { show: ShowEventSchema, rig: RigEventSchema, tool: ToolEventSchema } as const

/** Checks one parsed --json line; the problem in one line, or null when it matches. */
export function checkEvent(side: EventSide, value: unknown): string | null {
  const r = SCHEMA_OF[side].safeParse(value)
  if (r.success) return null
  const name = typeof value === 'object' && value !== null && 'event' in value ? String((value as { event: unknown }).event) : '?'
  const issue = r.error.issues[0]
  return `${side} event '${name}': ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'does not match'}`
}
