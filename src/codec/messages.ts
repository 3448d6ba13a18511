// Messages <-> frames. Control payloads (HELLO, HELLO_REPLY, INIT, TERMINATE) are small
// UTF-8 JSON objects validated with zod on receipt; media payloads (AUDIO, MIDI) and
// PING/PONG are binary. A frame is one contiguous buffer: header then payload, so a
// broadcast is encoded once and the same bytes go to every rig.

import { z } from 'zod'
import { FrameError } from '../errors.js'
import { CODEC } from './format.js'
import { HEADER_BYTES, MSG, readHeader, writeHeader, messageTypeName, type Header, type MessageType } from './header.js'
import { LIMITS, type Limit } from './limits.js'
import { MAX_CONTROL_DEPTH, nestsDeeperThan } from './json-depth.js'
import { MAX_RIG_NAME_CHARS, MAX_SERVER_NAME_CHARS, nameSchema } from './rig-name.js'

/** A source whose clock is further off the show's rate than this is not followed (real crystals are within ~100 ppm). */
export const MAX_TIMELINE_DRIFT_PPM = 1000

/** Control frames are tiny; cap them well below any media frame. */
export const CONTROL_MAX_PAYLOAD = 16 * 1024
/** The most a server may declare for media frames (1 MiB): a rig never buffers more for one frame. */
export const MEDIA_MAX_PAYLOAD = 1024 * 1024

const within = (l: Limit) => z.number().int().min(l.min).max(l.max)

export const HelloSchema = z.object({
  version: z.number().int(),
  serverName: nameSchema(MAX_SERVER_NAME_CHARS),
  format: z.object({
    rateHz: within(LIMITS.rateHz),
    channels: within(LIMITS.channels),
    format: z.enum(['s16le', 's24le', 'f32le']),
    framesPerPacket: within(LIMITS.framesPerPacket),
  }),
  maxPayload: z.number().int().min(1).max(MEDIA_MAX_PAYLOAD),
  pingIntervalMs: within(LIMITS.pingIntervalMs),
})
export type Hello = z.infer<typeof HelloSchema>

export const HelloReplySchema = z.object({
  version: z.number().int(),
  name: nameSchema(MAX_RIG_NAME_CHARS),
  meta: z.record(z.string(), z.unknown()).default({}),
})
export type HelloReply = z.infer<typeof HelloReplySchema>

/**
 * Where the show sits on the server's clock: show position `position` (32-bit) is at server
 * time `serverMs`, and each later frame 1000 / rate × (1 + driftPpm / 1e6) ms after it on that
 * clock (a live source's own clock drifts: positive when the source runs slow against the
 * server's). RTCP's sender report does the same for RTP time (RFC 3550 §6.4.1).
 */
export const TimelineSchema = z.object({
  position: z.number().int().min(0).max(0xffffffff),
  serverMs: z.number().finite(),
  driftPpm: z.number().min(-MAX_TIMELINE_DRIFT_PPM).max(MAX_TIMELINE_DRIFT_PPM),
})
export type Timeline = z.infer<typeof TimelineSchema>

export const InitSchema = z.object({
  /** Show position (sample frames since INIT) of the next audio the rig will receive. */
  position: z.number().int().min(0),
  /** The show's latency (`serve --latency`), ms: every rig plays position P at its server time plus this. Absent from an older server. */
  latencyMs: z.number().min(0).max(LIMITS.latencyMs.max).optional(),
  /** The show timeline so far; null before the source has delivered anything (a TIMELINE follows). */
  timeline: TimelineSchema.nullable().default(null),
})
export type Init = z.infer<typeof InitSchema>

/** TERMINATE's reason, in UTF-16 units. */
export const MAX_TERMINATE_REASON_CHARS = 512

export const TerminateSchema = z.object({
  reason: z.string().max(MAX_TERMINATE_REASON_CHARS),
  /** Machine-readable cause: end-of-source, operator, duration, protocol-error, version-mismatch, timeout, too-slow, rig-left... */
  code: z.string().max(64).default('operator'),
})
export type Terminate = z.infer<typeof TerminateSchema>

/**
 * TERMINATE's body, its reason cut to what the schema takes: a longer one (an operator's own
 * words, a card's error quoting a driver) would make the other side refuse the whole message
 * as a protocol error (issue 14: every rig exited 1 on a 600-character reason).
 */
export function terminateBody(reason: string, code: string): Terminate {
  const said = reason.length <= MAX_TERMINATE_REASON_CHARS ? reason : `${reason.slice(0, MAX_TERMINATE_REASON_CHARS - 1)}…`
  return { reason: said, code }
}

const TransportName = z.enum(['tcp', 'udp'])
export type TransportName = z.infer<typeof TransportName>

/** A per-rig secret the server hands out with SWITCH; the rig proves its session with it. */
const Token = z.string().regex(/^[0-9a-f]{16,64}$/, 'hex token')

export const SwitchSchema = z.object({ transport: TransportName, token: Token })
export type Switch = z.infer<typeof SwitchSchema>

export const ResumeSchema = z.object({ token: Token, name: nameSchema(MAX_RIG_NAME_CHARS) })
export type Resume = z.infer<typeof ResumeSchema>

export const ResumedSchema = z.object({ transport: TransportName })
export type Resumed = z.infer<typeof ResumedSchema>

export const SwitchFailedSchema = z.object({ transport: TransportName, reason: z.string().max(512) })
export type SwitchFailed = z.infer<typeof SwitchFailedSchema>

const count = z.number().int().min(0)

/**
 * Whether a rig keeps the show's time (issue 12, docs/SYNC.md): no clock estimate or
 * timeline yet; its frames leave at their show time; or its path is slower than the latency
 * it plays at, so audio arrives after its time and is concealed.
 */
export const SYNC_STATES = ['no-clock', 'in-time', 'late'] as const
export type SyncState = (typeof SYNC_STATES)[number]

/** A rig's sync state as it reports it to the server (REPORT's `sync`). */
export const SyncReportSchema = z.object({
  state: z.enum(SYNC_STATES),
  /** How far from the show time this rig's frames may leave, ms; null before it has a clock. */
  errorMs: z.number().min(0).max(1e6).nullable(),
  /** How late audio arrived after its play time, the worst of the last second, ms (0: in time). */
  lateMs: z.number().min(0).max(1e6),
  /** The latency this rig plays at: the show's, or its own `join --latency` (then knowingly out of step). */
  latencyMs: z.number().min(0).max(1e6),
  /** `join --offset`: this rig plays this much later (+) or earlier (-) than the show time, ms. */
  offsetMs: z.number().min(-1e6).max(1e6),
})
export type SyncReport = z.infer<typeof SyncReportSchema>

/** What a rig's ears report, so the operator sees loss, jitter and buffer per rig on the server. */
export const ReportSchema = z.object({
  packetsReceived: count,
  packetsLost: count,
  packetsLate: count,
  packetsRecovered: count,
  framesConcealed: count,
  underruns: count,
  jitterMs: z.number().min(0).max(1e6),
  bufferMs: z.number().min(0).max(1e6),
  /** MIDI messages the rig received from the server, and those the server gave up on before they arrived. */
  midiReceived: count.default(0),
  midiLost: count.default(0),
  /** Whether the rig keeps the show's time; null from a rig that does not say (an older one). */
  sync: SyncReportSchema.nullable().default(null),
})
export type Report = z.infer<typeof ReportSchema>

export type ControlMessage =
  | { type: typeof MSG.HELLO; body: Hello }
  | { type: typeof MSG.HELLO_REPLY; body: HelloReply }
  | { type: typeof MSG.INIT; body: Init }
  | { type: typeof MSG.TERMINATE; body: Terminate }
  | { type: typeof MSG.SWITCH; body: Switch }
  | { type: typeof MSG.RESUME; body: Resume }
  | { type: typeof MSG.RESUMED; body: Resumed }
  | { type: typeof MSG.SWITCH_FAILED; body: SwitchFailed }
  | { type: typeof MSG.REPORT; body: Report }

/** A decoded frame. `payload` is a view into the frame, never a copy. */
export interface Frame {
  header: Header
  payload: Uint8Array
}

const textEncoder = new TextEncoder()
const textDecoder = new TextDecoder('utf-8', { fatal: true })

export interface EncodeOptions {
  codec?: number
  flags?: number
  seq?: number
  sessionId: number
  timestamp?: number
}

/** Allocates one buffer holding header and payload. */
export function encodeFrame(type: MessageType, payload: Uint8Array, o: EncodeOptions): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + payload.byteLength)
  writeHeader(out, 0, {
    type,
    codec: o.codec ?? CODEC.none,
    flags: o.flags ?? 0,
    seq: o.seq ?? 0,
    sessionId: o.sessionId,
    timestamp: o.timestamp ?? 0,
    payloadLength: payload.byteLength,
  })
  out.set(payload, HEADER_BYTES)
  return out
}

export function encodeControl(msg: ControlMessage, o: EncodeOptions): Uint8Array {
  return encodeFrame(msg.type, textEncoder.encode(JSON.stringify(msg.body)), o)
}

/** PING and PONG carry the sender's clock (ms, float64) so it can compute round-trip time. */
export function encodePingPong(type: typeof MSG.PING | typeof MSG.PONG, sentAtMs: number, o: EncodeOptions): Uint8Array {
  const body = new Uint8Array(8)
  new DataView(body.buffer).setFloat64(0, sentAtMs)
  return encodeFrame(type, body, o)
}

export function readPingPong(frame: Frame): number {
  if (frame.payload.byteLength !== 8) {
    throw new FrameError('BAD_PAYLOAD', `${messageTypeName(frame.header.type)} payload must be 8 bytes, got ${frame.payload.byteLength}`)
  }
  return new DataView(frame.payload.buffer, frame.payload.byteOffset, 8).getFloat64(0)
}

/** TIMELINE's payload: serverMs and driftPpm, two float64s, big-endian; the position is the header's timestamp. */
export const TIMELINE_PAYLOAD_BYTES = 16

/** TIMELINE is binary like the time exchange: sent every second and on change, to every rig, encoded once. */
export function encodeTimeline(t: Timeline, o: EncodeOptions): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + TIMELINE_PAYLOAD_BYTES)
  writeHeader(out, 0, {
    type: MSG.TIMELINE,
    codec: CODEC.none,
    flags: o.flags ?? 0,
    seq: o.seq ?? 0,
    sessionId: o.sessionId,
    timestamp: t.position,
    payloadLength: TIMELINE_PAYLOAD_BYTES,
  })
  out.writeDoubleBE(t.serverMs, HEADER_BYTES)
  out.writeDoubleBE(t.driftPpm, HEADER_BYTES + 8)
  return out
}

/** Reads a TIMELINE; throws FrameError for a wrong length, a time that is not finite, or a drift beyond ±MAX_TIMELINE_DRIFT_PPM. */
export function readTimeline(frame: Frame): Timeline {
  const p = frame.payload
  if (p.byteLength !== TIMELINE_PAYLOAD_BYTES) {
    throw new FrameError('BAD_PAYLOAD', `TIMELINE payload must be ${TIMELINE_PAYLOAD_BYTES} bytes, got ${p.byteLength}`)
  }
  const v = new DataView(p.buffer, p.byteOffset, TIMELINE_PAYLOAD_BYTES)
  const serverMs = v.getFloat64(0)
  const driftPpm = v.getFloat64(8)
  if (!Number.isFinite(serverMs)) throw new FrameError('BAD_PAYLOAD', 'TIMELINE serverMs is not a finite number')
  if (!(Math.abs(driftPpm) <= MAX_TIMELINE_DRIFT_PPM)) {
    throw new FrameError('BAD_PAYLOAD', `TIMELINE driftPpm must be within ±${MAX_TIMELINE_DRIFT_PPM}`)
  }
  return { position: frame.header.timestamp, serverMs, driftPpm }
}

/** NTP's timestamps of one time exchange (RFC 5905 §8), each on its own side's monotonic clock, ms. */
export interface TimeStamps {
  /** The rig's clock when it sent TIME_REQUEST. */
  t1: number
  /** The server's clock when TIME_REQUEST arrived (0 in a request). */
  t2: number
  /** The server's clock when it sent TIME_REPLY (0 in a request). */
  t3: number
}

/** TIME_REQUEST and TIME_REPLY payloads: three float64s, big-endian (docs/PROTOCOL.md). */
export const TIME_PAYLOAD_BYTES = 24

/**
 * TIME_REQUEST carries t1 and 16 bytes of zeros, so it is as long as the TIME_REPLY it asks
 * for: answering never sends more than was received (NTP's packets are one size both ways).
 */
export function encodeTime(type: typeof MSG.TIME_REQUEST | typeof MSG.TIME_REPLY, t: TimeStamps, o: EncodeOptions): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + TIME_PAYLOAD_BYTES)
  writeHeader(out, 0, {
    type,
    codec: CODEC.none,
    flags: o.flags ?? 0,
    seq: o.seq ?? 0,
    sessionId: o.sessionId,
    timestamp: o.timestamp ?? 0,
    payloadLength: TIME_PAYLOAD_BYTES,
  })
  const request = type === MSG.TIME_REQUEST
  out.writeDoubleBE(t.t1, HEADER_BYTES)
  out.writeDoubleBE(request ? 0 : t.t2, HEADER_BYTES + 8)
  out.writeDoubleBE(request ? 0 : t.t3, HEADER_BYTES + 16)
  return out
}

/**
 * Reads a TIME_REQUEST's or TIME_REPLY's timestamps (a request's t2 and t3 are padding, read
 * as 0). Throws FrameError for a wrong length, a timestamp that is not a finite number, or a
 * reply sent before its request arrived (t3 < t2).
 */
export function readTime(frame: Frame): TimeStamps {
  const name = messageTypeName(frame.header.type)
  const p = frame.payload
  if (p.byteLength !== TIME_PAYLOAD_BYTES) {
    throw new FrameError('BAD_PAYLOAD', `${name} payload must be ${TIME_PAYLOAD_BYTES} bytes, got ${p.byteLength}`)
  }
  const v = new DataView(p.buffer, p.byteOffset, TIME_PAYLOAD_BYTES)
  const t1 = v.getFloat64(0)
  if (frame.header.type !== MSG.TIME_REPLY) {
    if (!Number.isFinite(t1)) throw new FrameError('BAD_PAYLOAD', `${name} t1 is not a finite number`)
    return { t1, t2: 0, t3: 0 }
  }
  const t2 = v.getFloat64(8)
  const t3 = v.getFloat64(16)
  if (!Number.isFinite(t1) || !Number.isFinite(t2) || !Number.isFinite(t3)) {
    throw new FrameError('BAD_PAYLOAD', `${name} timestamps must be finite numbers`)
  }
  if (t3 < t2) throw new FrameError('BAD_PAYLOAD', `${name} was sent (t3 ${t3}) before its request arrived (t2 ${t2})`)
  return { t1, t2, t3 }
}

/** Decodes one whole frame (as a transport delivers it). Throws FrameError. */
export function decodeFrame(bytes: Uint8Array, maxPayload: number): Frame {
  const header = readHeader(bytes, maxPayload)
  if (header === null)
    throw new FrameError('TRUNCATED', `frame of ${bytes.byteLength} bytes is shorter than the ${HEADER_BYTES}-byte header`)
  const end = HEADER_BYTES + header.payloadLength
  if (bytes.byteLength !== end) {
    throw new FrameError(
      'BAD_LENGTH',
      `${messageTypeName(header.type)} frame declares ${header.payloadLength} payload bytes but carries ${bytes.byteLength - HEADER_BYTES}`,
    )
  }
  return { header, payload: bytes.subarray(HEADER_BYTES, end) }
}

const SCHEMAS = {
  [MSG.HELLO]: HelloSchema,
  [MSG.HELLO_REPLY]: HelloReplySchema,
  [MSG.INIT]: InitSchema,
  [MSG.TERMINATE]: TerminateSchema,
  [MSG.SWITCH]: SwitchSchema,
  [MSG.RESUME]: ResumeSchema,
  [MSG.RESUMED]: ResumedSchema,
  [MSG.SWITCH_FAILED]: SwitchFailedSchema,
  [MSG.REPORT]: ReportSchema,
} as const

/**
 * Control messages a UDP transport delivers reliably (acknowledged, retransmitted, once,
 * in order). REPORT is JSON but only ever worth its latest value, so it is not.
 */
export const RELIABLE_TYPES: readonly boolean[] = Array.from({ length: 256 }, (_, t) => t in SCHEMAS && t !== MSG.REPORT)

export function isControlType(type: number): type is ControlMessage['type'] {
  return type in SCHEMAS
}

/** Parses and validates a control frame's JSON body. Throws FrameError naming the bad field. */
export function readControl(frame: Frame): ControlMessage {
  const type = frame.header.type
  if (!isControlType(type)) throw new FrameError('NOT_CONTROL', `${messageTypeName(type)} is not a control message`)
  if (frame.payload.byteLength > CONTROL_MAX_PAYLOAD) {
    throw new FrameError(
      'FRAME_TOO_LARGE',
      `${messageTypeName(type)} payload of ${frame.payload.byteLength} bytes exceeds ${CONTROL_MAX_PAYLOAD}`,
    )
  }
  let json: unknown
  try {
    json = JSON.parse(textDecoder.decode(frame.payload))
  } catch {
    throw new FrameError('BAD_PAYLOAD', `${messageTypeName(type)} payload is not valid UTF-8 JSON`)
  }
  if (nestsDeeperThan(json, MAX_CONTROL_DEPTH)) {
    throw new FrameError('BAD_PAYLOAD', `${messageTypeName(type)} payload nests deeper than ${MAX_CONTROL_DEPTH} levels`)
  }
  const parsed = SCHEMAS[type].safeParse(json)
  if (!parsed.success) {
    const first = parsed.error.issues[0]
    const where = first && first.path.length > 0 ? first.path.join('.') + ': ' : ''
    throw new FrameError('BAD_PAYLOAD', `invalid ${messageTypeName(type)}: ${where}${first?.message ?? 'invalid'}`)
  }
  return { type, body: parsed.data } as ControlMessage
}
