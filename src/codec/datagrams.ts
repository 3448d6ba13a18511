// Audio frames -> UDP datagrams, computed once per broadcast so every UDP rig gets the
// same bytes. Two jobs:
// - MTU: a frame larger than one datagram is split into segments, each a complete AUDIO
//   frame (same seq, SEGMENT flag, its own timestamp), so a lost segment loses only its
//   frames and the jitter buffer puts the others in place by timestamp.
// - Redundancy (JackTrip's -r): with N > 0 each datagram is a BUNDLE carrying the previous
//   N frames and the current one; the receiver keeps whichever copy arrives first.

import { bytesPerFrame, type AudioFormat } from './format.js'
import { FLAG, frameLength, HEADER_BYTES, MSG, peekType, writeHeader, readHeader } from './header.js'
import { FrameError } from '../errors.js'
import { LIMITS } from './limits.js'

/** IPv6 (40) + UDP (8) header bytes; IPv4's are smaller, so this fits both. */
export const IP_UDP_OVERHEAD = 48
/** Ethernet's MTU: the default path MTU. */
export const DEFAULT_MTU = LIMITS.mtuBytes.default

export function maxDatagramBytes(mtu: number): number {
  return mtu - IP_UDP_OVERHEAD
}

export class AudioPacketizer {
  private readonly history: Uint8Array[] = []
  private readonly single: Uint8Array[] = [new Uint8Array(0)]
  private readonly framesPerSegment: number

  constructor(
    private readonly format: AudioFormat,
    private readonly maxDatagram: number,
    private readonly redundancy: number,
  ) {
    this.framesPerSegment = Math.floor((maxDatagram - HEADER_BYTES) / bytesPerFrame(format))
    if (this.framesPerSegment < 1) throw new RangeError(`a ${maxDatagram}-byte datagram cannot hold one audio frame`)
  }

  /** A packetizer with the same settings and a history of its own (for a second stream). */
  twin(): AudioPacketizer {
    return new AudioPacketizer(this.format, this.maxDatagram, this.redundancy)
  }

  /** The datagrams for one encoded AUDIO frame. The array is reused: read it before the next call. */
  datagrams(frame: Uint8Array): readonly Uint8Array[] {
    if (this.redundancy > 0) {
      const bundle = this.bundle(frame)
      this.remember(frame)
      this.single[0] = bundle
      return this.single
    }
    if (frame.byteLength <= this.maxDatagram) {
      this.single[0] = frame
      return this.single
    }
    return this.segments(frame)
  }

  /** A frame no UDP rig needed: kept only as history for the next bundles. */
  skip(frame: Uint8Array): void {
    if (this.redundancy > 0) this.remember(frame)
  }

  private remember(frame: Uint8Array): void {
    this.history.push(frame)
    if (this.history.length > this.redundancy) this.history.shift()
  }

  private bundle(frame: Uint8Array): Uint8Array {
    let size = HEADER_BYTES + frame.byteLength
    for (const f of this.history) size += f.byteLength
    const out = Buffer.allocUnsafe(size)
    const h = readHeader(frame, Number.MAX_SAFE_INTEGER)!
    writeHeader(out, 0, { ...h, type: MSG.BUNDLE, codec: 0, flags: 0, payloadLength: size - HEADER_BYTES })
    let at = HEADER_BYTES
    for (const f of this.history) {
      out.set(f, at)
      at += f.byteLength
    }
    out.set(frame, at)
    return out
  }

  private segments(frame: Uint8Array): Uint8Array[] {
    const h = readHeader(frame, Number.MAX_SAFE_INTEGER)!
    const frameBytes = bytesPerFrame(this.format)
    const totalFrames = h.payloadLength / frameBytes
    const out: Uint8Array[] = []
    for (let first = 0; first < totalFrames; first += this.framesPerSegment) {
      const n = Math.min(this.framesPerSegment, totalFrames - first)
      const seg = Buffer.allocUnsafe(HEADER_BYTES + n * frameBytes)
      writeHeader(seg, 0, { ...h, flags: h.flags | FLAG.SEGMENT, timestamp: (h.timestamp + first) >>> 0, payloadLength: n * frameBytes })
      seg.set(frame.subarray(HEADER_BYTES + first * frameBytes, HEADER_BYTES + (first + n) * frameBytes), HEADER_BYTES)
      out.push(seg)
    }
    return out
  }
}

/** Largest redundancy that fits one datagram, for a clear refusal at the CLI. */
export function maxRedundancy(format: AudioFormat, maxDatagram: number): number {
  const frame = HEADER_BYTES + format.framesPerPacket * bytesPerFrame(format)
  return Math.max(0, Math.floor((maxDatagram - HEADER_BYTES) / frame) - 1)
}

/** The frames inside a BUNDLE, as views. Throws FrameError if they do not tile the payload exactly. */
export function unbundle(bundle: Uint8Array, maxPayload: number): Uint8Array[] {
  const out: Uint8Array[] = []
  let at = HEADER_BYTES
  while (at < bundle.byteLength) {
    const len = frameLength(bundle, maxPayload, at)
    if (len < 0 || at + len > bundle.byteLength) throw new FrameError('BAD_BUNDLE', 'BUNDLE holds a truncated frame')
    const frame = bundle.subarray(at, at + len)
    if (peekType(frame) === MSG.BUNDLE) throw new FrameError('BAD_BUNDLE', 'BUNDLE inside a BUNDLE')
    out.push(frame)
    at += len
  }
  return out
}
