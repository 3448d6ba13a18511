// The fixed 20-byte header every Synchro message starts with (docs/PROTOCOL.md).
// Big-endian ("network order"). Magic and version come first and never move, so any
// future version can still be recognised and refused with both versions named.

import { FrameError } from '../errors.js'

export const MAGIC = 0x5359 // "SY"
export const PROTOCOL_VERSION = 1
export const HEADER_BYTES = 20

export const MSG = {
  HELLO: 1,
  HELLO_REPLY: 2,
  INIT: 3,
  AUDIO: 4,
  MIDI: 5,
  TERMINATE: 6,
  PING: 7,
  PONG: 8,
  /** UDP only: acknowledges the reliable message whose seq is in this header. */
  ACK: 9,
  /** UDP only: a rig's first datagram, padded so the server's answer is never larger. */
  CONNECT: 10,
  /** Server -> rig: move this session to the other transport. */
  SWITCH: 11,
  /** Rig -> server, first message on the new transport: the session it continues. */
  RESUME: 12,
  /** Server -> rig on the new transport: the session continues here. */
  RESUMED: 13,
  /** Rig -> server on the old transport: could not reach the other one. */
  SWITCH_FAILED: 14,
  /** Rig -> server: receiver report (loss, jitter, buffer), twice a second. */
  REPORT: 15,
  /** UDP only: several whole frames in one datagram (audio redundancy). */
  BUNDLE: 16,
  /** Either way: "I have every MIDI serial before this one" (UDP; ends repetition). */
  MIDI_ACK: 17,
  /** Rig -> server: "what time is it on your clock?" (t1, the rig's transmit time). Not reliable. */
  TIME_REQUEST: 18,
  /** Server -> rig: t1 echoed, with t2 (request received) and t3 (reply sent) on the server's clock. Not reliable. */
  TIME_REPLY: 19,
  /** Server -> rig: where a show position sits on the server's clock (the show timeline, docs/SYNC.md). */
  TIMELINE: 20,
} as const
export type MessageType = (typeof MSG)[keyof typeof MSG]

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(MSG).map(([name, id]) => [id, name]))
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`
}

/** Header flag bits. Receivers ignore bits they do not know. */
export const FLAG = {
  /** UDP: this message must be acknowledged (ACK with its seq) and is delivered once, in order. */
  RELIABLE: 0x01,
  /** UDP: an AUDIO frame that is one segment of a packet split to fit the MTU (same seq). */
  SEGMENT: 0x02,
} as const

export interface Header {
  type: MessageType
  codec: number
  flags: number
  /** 16-bit, wraps; one counter per stream (audio, MIDI, control) per sender. */
  seq: number
  /** Random per show; rigs echo it, so a stray or stale peer is recognised. */
  sessionId: number
  /** Media position in sample frames since INIT, 32-bit, wraps. */
  timestamp: number
  payloadLength: number
}

/**
 * Writes a header at `offset` of `out` (which must have HEADER_BYTES of room).
 * Plain byte stores: no DataView per frame on the broadcast path (bench/codec.mjs).
 */
export function writeHeader(out: Uint8Array, offset: number, h: Header): void {
  const o = offset
  out[o] = MAGIC >> 8
  out[o + 1] = MAGIC & 0xff
  out[o + 2] = PROTOCOL_VERSION
  out[o + 3] = h.type
  out[o + 4] = h.codec
  out[o + 5] = h.flags
  out[o + 6] = (h.seq >> 8) & 0xff
  out[o + 7] = h.seq & 0xff
  writeU32(out, o + 8, h.sessionId)
  writeU32(out, o + 12, h.timestamp)
  writeU32(out, o + 16, h.payloadLength)
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = (value >>> 24) & 0xff
  out[at + 1] = (value >>> 16) & 0xff
  out[at + 2] = (value >>> 8) & 0xff
  out[at + 3] = value & 0xff
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0
}

// Peeks: one field of a frame's header, read without building a Header or a view, for
// the transports' per-datagram decisions. The layout lives here and nowhere else. Each
// returns undefined when fewer than HEADER_BYTES are there; none validates the rest.
// (peekType, the first of them, sits at the end of this file.)

/** True when `frame` holds a whole header that starts with Synchro's magic. */
export function hasMagic(frame: Uint8Array): boolean {
  return frame.byteLength >= HEADER_BYTES && frame[0] === MAGIC >> 8 && frame[1] === (MAGIC & 0xff)
}

export function peekVersion(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : frame[2]
}

export function peekFlags(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : frame[5]
}

export function peekSeq(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : (frame[6]! << 8) | frame[7]!
}

export function peekSession(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : readU32(frame, 8)
}

export function peekPayloadLength(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : readU32(frame, 16)
}

/** True when `frame` is exactly one frame: a whole header whose declared payload fills the rest. */
export function isWholeFrame(frame: Uint8Array): boolean {
  return frame.byteLength >= HEADER_BYTES && HEADER_BYTES + readU32(frame, 16) === frame.byteLength
}

/**
 * A copy of `frame` marked for UDP's reliable delivery: the RELIABLE flag set and `seq`
 * (that stream's own counter) in the header. A copy, because the caller's bytes may be a
 * broadcast shared with other peers, each numbering its reliable messages itself.
 */
export function withReliableSeq(frame: Uint8Array, seq: number): Uint8Array {
  if (frame.byteLength < HEADER_BYTES) {
    throw new FrameError('TRUNCATED', `a ${frame.byteLength}-byte frame has no whole header (${HEADER_BYTES} bytes) to mark reliable`)
  }
  const out = new Uint8Array(frame)
  out[5] = out[5]! | FLAG.RELIABLE
  out[6] = (seq >> 8) & 0xff
  out[7] = seq & 0xff
  return out
}

/**
 * Reads the header at the start of `buf`. Returns null when fewer than HEADER_BYTES are
 * there ("need more" is a value); throws FrameError for bytes that cannot be a frame,
 * including a declared payload longer than `maxPayload`, checked before anything is buffered.
 */
export function readHeader(buf: Uint8Array, maxPayload: number): Header | null {
  if (buf.byteLength < 2) return null
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const magic = v.getUint16(0)
  if (magic !== MAGIC) {
    throw new FrameError('BAD_MAGIC', `not a Synchro frame (magic 0x${magic.toString(16).padStart(4, '0')}, expected 0x5359)`)
  }
  if (buf.byteLength < 3) return null
  const version = v.getUint8(2)
  if (version !== PROTOCOL_VERSION) throw new VersionMismatchError(version)
  if (buf.byteLength < HEADER_BYTES) return null
  const type = v.getUint8(3)
  if (!(type in TYPE_NAMES)) throw new FrameError('UNKNOWN_TYPE', `unknown message type ${type}`)
  const payloadLength = v.getUint32(16)
  if (payloadLength > maxPayload) {
    throw new FrameError(
      'FRAME_TOO_LARGE',
      `${messageTypeName(type)} frame declares ${payloadLength} payload bytes, more than the ${maxPayload} allowed`,
    )
  }
  return {
    type: type as MessageType,
    codec: v.getUint8(4),
    flags: v.getUint8(5),
    seq: v.getUint16(6),
    sessionId: v.getUint32(8),
    timestamp: v.getUint32(12),
    payloadLength,
  }
}

/** The peer speaks another protocol version: it is told so ('version-mismatch'), not that its bytes are bad. */
export class VersionMismatchError extends FrameError {
  override readonly name = 'VersionMismatchError'
  readonly peerVersion: number
  /** `peer` names the other side in the message: a listener that knows it is a rig says so. */
  constructor(peerVersion: number, peer: 'peer' | 'rig' | 'server' = 'peer') {
    super(
      'VERSION_MISMATCH',
      `${peer} speaks Synchro protocol v${peerVersion}, this side speaks v${PROTOCOL_VERSION}: run the same Synchro version on both`,
      { closeCode: 'version-mismatch' },
    )
    this.peerVersion = peerVersion
  }
}

/**
 * The whole frame's length (header + payload) of the frame starting at `at` in `buf`, or
 * -1 when its header is not all there yet. Validates like readHeader but builds no object
 * and no view: the deframer calls it once per frame.
 */
export function frameLength(buf: Uint8Array, maxPayload: number, at = 0): number {
  if (buf.byteLength - at < HEADER_BYTES) {
    // Still refuse a wrong magic or version as soon as those bytes arrive.
    if (buf.byteLength - at >= 2) readHeader(buf.subarray(at), maxPayload)
    return -1
  }
  const payloadLength = readU32(buf, at + 16)
  if (
    buf[at] !== MAGIC >> 8 ||
    buf[at + 1] !== (MAGIC & 0xff) ||
    buf[at + 2] !== PROTOCOL_VERSION ||
    !KNOWN_TYPE[buf[at + 3]!] ||
    payloadLength > maxPayload
  ) {
    readHeader(buf.subarray(at), maxPayload) // throws the precise FrameError
  }
  return HEADER_BYTES + payloadLength
}

const KNOWN_TYPE: boolean[] = Array.from({ length: 256 }, (_, t) => t in TYPE_NAMES)

/** The message type byte of a whole frame, without decoding it; undefined if the frame is shorter than the header. */
export function peekType(frame: Uint8Array): number | undefined {
  return frame.byteLength < HEADER_BYTES ? undefined : frame[3]
}
