// MIDI frames and MIDI_ACK (docs/PROTOCOL.md, "MIDI"). Each MIDI message carries a 32-bit
// serial, so a receiver can put messages in order, drop the copies that repetition over
// UDP brings, and tell a gap it can never fill from one that is still on its way.
//
// MIDI payload:  u32 oldestSerial | u32 firstSerial | u16 count | count x event
// event:         u32 position | u8 flags | u16 length | length bytes
// Events in one frame have consecutive serials, firstSerial first. oldestSerial is the oldest
// serial the sender still holds for this receiver: anything missing before it is lost for good.

import { FrameError } from '../errors.js'
import { HEADER_BYTES, MSG, writeHeader } from './header.js'

/** This event's bytes continue in the next serial (a long system exclusive, in fragments). */
export const MIDI_EVENT_MORE = 0x01

export const MIDI_FRAME_PREFIX_BYTES = 10
export const MIDI_EVENT_HEADER_BYTES = 7
/** A MIDI frame's payload stays within one 1500-byte-MTU datagram (1432 bytes) with room to spare. */
export const MIDI_MAX_PAYLOAD = 1400
/** System exclusive longer than this travels in fragments, so one frame always holds a whole event. */
export const MIDI_FRAGMENT_BYTES = 512

export interface MidiEvent {
  serial: number
  /** Show position (sample frames since INIT, on the show's clock) where the message entered the show. */
  position: number
  flags: number
  data: Uint8Array
}

export function eventWireBytes(e: MidiEvent): number {
  return MIDI_EVENT_HEADER_BYTES + e.data.byteLength
}

/**
 * Encodes consecutive events (events[from..to)) as one whole MIDI frame. The caller has
 * checked that they fit MIDI_MAX_PAYLOAD (see packEvents).
 */
export function encodeMidiFrame(
  events: readonly MidiEvent[],
  from: number,
  to: number,
  o: { seq: number; sessionId: number; timestamp: number; oldest: number },
): Uint8Array {
  let size = MIDI_FRAME_PREFIX_BYTES
  for (let i = from; i < to; i++) size += eventWireBytes(events[i]!)
  const out = Buffer.allocUnsafe(HEADER_BYTES + size)
  writeHeader(out, 0, {
    type: MSG.MIDI,
    codec: 0,
    flags: 0,
    seq: o.seq,
    sessionId: o.sessionId,
    timestamp: o.timestamp,
    payloadLength: size,
  })
  let at = HEADER_BYTES
  out.writeUInt32BE(o.oldest >>> 0, at)
  out.writeUInt32BE(events[from]!.serial >>> 0, at + 4)
  out.writeUInt16BE(to - from, at + 8)
  at += MIDI_FRAME_PREFIX_BYTES
  for (let i = from; i < to; i++) {
    const e = events[i]!
    out.writeUInt32BE(e.position >>> 0, at)
    out[at + 4] = e.flags
    out.writeUInt16BE(e.data.byteLength, at + 5)
    out.set(e.data, at + MIDI_EVENT_HEADER_BYTES)
    at += MIDI_EVENT_HEADER_BYTES + e.data.byteLength
  }
  return out
}

/**
 * Splits events[from..to) into runs that each fit one frame: calls `emit(start, end)` per run.
 * Events are never split here (MIDI_FRAGMENT_BYTES keeps each one small enough).
 */
export function packEvents(events: readonly MidiEvent[], from: number, to: number, emit: (start: number, end: number) => void): void {
  let start = from
  let size = MIDI_FRAME_PREFIX_BYTES
  for (let i = from; i < to; i++) {
    const n = eventWireBytes(events[i]!)
    if (i > start && size + n > MIDI_MAX_PAYLOAD) {
      emit(start, i)
      start = i
      size = MIDI_FRAME_PREFIX_BYTES
    }
    size += n
  }
  if (to > start) emit(start, to)
}

/** Decodes a MIDI payload. Data are views into it, not copies. Throws FrameError on anything malformed. */
export interface MidiPayload {
  oldest: number
  events: MidiEvent[]
}

export function decodeMidiPayload(payload: Uint8Array): MidiPayload {
  if (payload.byteLength < MIDI_FRAME_PREFIX_BYTES)
    throw new FrameError(
      'BAD_MIDI',
      `MIDI payload of ${payload.byteLength} bytes is shorter than its ${MIDI_FRAME_PREFIX_BYTES}-byte prefix`,
    )
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const oldest = v.getUint32(0)
  const first = v.getUint32(4)
  const count = v.getUint16(8)
  const out: MidiEvent[] = []
  let at = MIDI_FRAME_PREFIX_BYTES
  for (let i = 0; i < count; i++) {
    if (at + MIDI_EVENT_HEADER_BYTES > payload.byteLength)
      throw new FrameError('BAD_MIDI', `MIDI payload ends inside event ${i + 1} of ${count}`)
    const position = v.getUint32(at)
    const flags = v.getUint8(at + 4)
    const length = v.getUint16(at + 5)
    at += MIDI_EVENT_HEADER_BYTES
    if (length === 0) throw new FrameError('BAD_MIDI', `MIDI event ${i + 1} is empty`)
    if (at + length > payload.byteLength)
      throw new FrameError('BAD_MIDI', `MIDI event ${i + 1} declares ${length} bytes, ${payload.byteLength - at} remain`)
    out.push({ serial: (first + i) >>> 0, position, flags, data: payload.subarray(at, at + length) })
    at += length
  }
  if (at !== payload.byteLength)
    throw new FrameError('BAD_MIDI', `MIDI payload has ${payload.byteLength - at} bytes after its ${count} events`)
  return { oldest, events: out }
}

/** MIDI_ACK: "I have every serial before `next`". */
export function encodeMidiAck(next: number, sessionId: number): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES + 4)
  writeHeader(out, 0, { type: MSG.MIDI_ACK, codec: 0, flags: 0, seq: 0, sessionId, timestamp: 0, payloadLength: 4 })
  out.writeUInt32BE(next >>> 0, HEADER_BYTES)
  return out
}

export function decodeMidiAck(payload: Uint8Array): number {
  if (payload.byteLength !== 4) throw new FrameError('BAD_MIDI_ACK', `MIDI_ACK payload must be 4 bytes, got ${payload.byteLength}`)
  return ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0
}
