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
} as const
export type MessageType = (typeof MSG)[keyof typeof MSG]

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(MSG).map(([name, id]) => [id, name]),
)
export function messageTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`
}

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

/** Writes a header at `offset` of `out` (which must have HEADER_BYTES of room). */
export function writeHeader(out: Uint8Array, offset: number, h: Header): void {
  const v = new DataView(out.buffer, out.byteOffset + offset, HEADER_BYTES)
  v.setUint16(0, MAGIC)
  v.setUint8(2, PROTOCOL_VERSION)
  v.setUint8(3, h.type)
  v.setUint8(4, h.codec)
  v.setUint8(5, h.flags)
  v.setUint16(6, h.seq & 0xffff)
  v.setUint32(8, h.sessionId >>> 0)
  v.setUint32(12, h.timestamp >>> 0)
  v.setUint32(16, h.payloadLength >>> 0)
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

export class VersionMismatchError extends FrameError {
  readonly peerVersion: number
  constructor(peerVersion: number) {
    super(
      'VERSION_MISMATCH',
      `peer speaks Synchro protocol v${peerVersion}, this side speaks v${PROTOCOL_VERSION}: run the same Synchro version on both`,
    )
    this.peerVersion = peerVersion
  }
}
