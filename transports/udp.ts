// UDP transport, one per peer: one datagram is one frame (or a BUNDLE of frames). UDP gives no order,
// no delivery and no connection, so this file adds what the session needs and no more:
// - Control messages (RELIABLE_TYPES) get the RELIABLE flag and their own sequence
//   number, are acknowledged by ACK, retransmitted with exponential backoff a bounded
//   number of times, and delivered once and in order. Audio and PING/PONG are sent once:
//   a late audio packet is worthless, and keep-alive has its own timeout.
// - A connection starts with the rig's CONNECT, padded to MIN_CONNECT_BYTES. Until the
//   rig proves it received our HELLO (by echoing the session id, which only HELLO
//   carried), the server sends it no more bytes than it received from it, as QUIC does
//   before address validation: a spoofed source address cannot make us an amplifier.
// - Datagrams that are not Synchro, carry another session id, or come from a stranger are
//   dropped and counted; they never reach the session, so a spoofer cannot end a show.
// The sockets live in udp-listen.ts (the server's) and udp-connect.ts (a rig's).

import { FLAG, HEADER_BYTES, MAGIC, MSG, PROTOCOL_VERSION, messageTypeName, writeHeader, VersionMismatchError } from '../src/codec/header.js'
import { CONTROL_MAX_PAYLOAD, RELIABLE_TYPES } from '../src/codec/messages.js'
import { unbundle } from '../src/codec/datagrams.js'
import { SeqWindow, seqAdd, seqDiff } from '../src/codec/seq.js'
import { TimeoutError } from '../src/errors.js'
import { systemClock, type Clock } from '../src/clock.js'
import { emptyStats, TransportEmitter, type FrameClass, type Transport, type TransportStats } from './transport.js'

/** QUIC pads its first datagram to 1200 bytes; HELLO is a few hundred, so this covers it. */
export const MIN_CONNECT_BYTES = 1200
const FIRST_RTO_MS = 100
const MAX_RTO_MS = 1000
const MIN_RTO_MS = 40
/** 100 + 200 + 400 + 800 + 1000 x 8 ms: ~9.5 s, longer than the session's keep-alive. */
const MAX_ATTEMPTS = 12
/** Reliable messages held while an earlier one is missing. */
const MAX_HELD = 64
const CLOSE_FLUSH_MS = 2000

export interface UdpStats extends TransportStats {
  /** Datagrams thrown away: not Synchro, wrong session, too large, or before validation. */
  datagramsDropped: number
  retransmits: number
  /** Audio packets that arrived only as a redundant copy inside a later BUNDLE. */
  packetsRecovered: number
}

export interface UdpPeerOptions {
  remote: string
  /** Puts one datagram on the wire. */
  sendDatagram: (bytes: Uint8Array) => void
  /** Called once the transport has closed, so the owner can forget it. */
  onClosed?: () => void
  /** The show's session id; undefined on a rig until the first HELLO teaches it. */
  sessionId?: number
  /** Bytes received from an unvalidated peer, the budget for what we may send it. */
  budget?: number | undefined
  clock?: Clock | undefined
  maxPayload?: number
}

interface Pending {
  bytes: Uint8Array
  attempts: number
  sentAtMs: number
  dueAtMs: number
}

export class UdpTransport extends TransportEmitter implements Transport {
  readonly kind = 'udp'
  readonly reliable = false
  readonly remote: string
  private readonly counters: UdpStats = { ...emptyStats(), datagramsDropped: 0, retransmits: 0, packetsRecovered: 0 }
  private readonly clock: Clock
  private sessionId: number | undefined
  private validated: boolean
  private budget: number
  private maxPayload: number
  private sendSeq = 0
  private readonly pending = new Map<number, Pending>()
  private recvNext = 0
  private readonly held = new Map<number, Uint8Array>()
  private rtoMs = FIRST_RTO_MS
  private timer: unknown
  private timerAtMs = Infinity
  /** One mark per audio seq: which packets already arrived, so redundant copies are dropped. Only rigs receive audio: made on first use. */
  private seenAudio: SeqWindow | undefined
  private closed = false
  private closing: Promise<void> | undefined
  private flushed: (() => void) | undefined

  constructor(private readonly o: UdpPeerOptions) {
    super()
    this.remote = o.remote
    this.clock = o.clock ?? systemClock
    this.sessionId = o.sessionId
    this.validated = o.budget === undefined
    this.budget = o.budget ?? 0
    this.maxPayload = o.maxPayload ?? CONTROL_MAX_PAYLOAD
  }

  get stats(): UdpStats {
    this.counters.queuedBytes = 0
    for (const p of this.pending.values()) this.counters.queuedBytes += p.bytes.byteLength
    return this.counters
  }

  setMaxPayload(bytes: number): void {
    this.maxPayload = bytes
  }

  send(frame: Uint8Array, _cls: FrameClass = 'control'): boolean {
    if (this.closed || this.closing) return false
    if (RELIABLE_TYPES[frame[3]!]) {
      const bytes = Buffer.from(frame)
      const seq = this.sendSeq
      this.sendSeq = seqAdd(seq, 1)
      bytes[5] = bytes[5]! | FLAG.RELIABLE
      bytes[6] = seq >> 8
      bytes[7] = seq & 0xff
      const now = this.clock.now()
      this.pending.set(seq, { bytes, attempts: 1, sentAtMs: now, dueAtMs: now + this.rtoMs })
      this.transmit(bytes)
      this.arm()
      return true
    }
    this.transmit(frame)
    return true
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closing ??= new Promise<void>((resolve) => {
      // Wait for our reliable messages (a TERMINATE, say) to be acknowledged, but not forever.
      const t = this.clock.setTimeout(() => this.finish(), CLOSE_FLUSH_MS)
      this.flushed = () => {
        this.clock.clearTimeout(t)
        this.finish()
      }
      this.once('close', () => resolve())
      if (this.pending.size === 0) this.flushed()
    })
    return this.closing
  }

  abort(err: Error): void {
    this.pending.clear()
    this.finish(err)
  }

  /** One datagram from the peer. Never throws: bad datagrams are counted and dropped. */
  receive(d: Uint8Array): void {
    if (this.closed) return
    this.counters.bytesReceived += d.byteLength
    if (d.byteLength < HEADER_BYTES || d[0] !== MAGIC >> 8 || d[1] !== (MAGIC & 0xff)) return this.drop()
    if (d[2] !== PROTOCOL_VERSION) {
      // Only a rig still waiting for its first HELLO hears this: tell it, once, which versions differ.
      if (this.sessionId === undefined) this.emit('badFrame', new VersionMismatchError(d[2]!))
      return this.drop()
    }
    const type = d[3]!
    const length = readU32(d, 16)
    // The kernel already bounds a datagram (64 KiB); what matters is that it is exactly one frame.
    if (HEADER_BYTES + length !== d.byteLength) return this.drop()
    const session = readU32(d, 8)
    if (type === MSG.CONNECT) {
      // A retransmitted CONNECT: the rig has not heard us yet, and it pays for our answer.
      this.budget += d.byteLength
      if (!this.validated) this.answerConnect()
      return
    }
    if (this.sessionId === undefined) this.sessionId = session
    else if (session !== this.sessionId) return this.drop()
    this.validated = true
    const seq = (d[6]! << 8) | d[7]!
    if (type === MSG.ACK) return this.onAck(seq)
    this.counters.framesReceived++
    if (type === MSG.BUNDLE) return this.onBundle(d)
    if (d[5]! & FLAG.RELIABLE) return this.onReliable(seq, d)
    if (type === MSG.AUDIO) this.markAudio(seq)
    this.emit('frame', d)
  }

  /**
   * The server's first answer to a CONNECT: a bare ACK (20 bytes) carrying the session id,
   * so the rig knows it was heard before the session speaks. Its seq, 0xffff, acknowledges
   * nothing the rig can have sent yet (its reliable messages count from 0).
   */
  answerConnect(): void {
    this.ack(0xffff)
  }

  private onAck(seq: number): void {
    const p = this.pending.get(seq)
    if (!p) return
    this.pending.delete(seq)
    // Karn's rule: only a first transmission gives an unambiguous round-trip sample.
    if (p.attempts === 1) {
      const rtt = this.clock.now() - p.sentAtMs
      this.rtoMs = Math.max(MIN_RTO_MS, Math.min(MAX_RTO_MS, 2 * rtt + 20))
    }
    if (this.pending.size === 0) this.flushed?.()
  }

  private onReliable(seq: number, d: Uint8Array): void {
    const ahead = seqDiff(this.recvNext, seq)
    if (ahead < 0 || this.held.has(seq)) {
      this.ack(seq) // a retransmission of something we have: our ACK was lost
      return
    }
    if (ahead > 0 && this.held.size >= MAX_HELD) return this.drop() // not acknowledged: it will come again
    this.ack(seq)
    if (ahead > 0) {
      this.held.set(seq, d)
      return
    }
    this.recvNext = seqAdd(seq, 1)
    this.emit('frame', d)
    for (let next = this.held.get(this.recvNext); next !== undefined && !this.closed; next = this.held.get(this.recvNext)) {
      this.held.delete(this.recvNext)
      this.recvNext = seqAdd(this.recvNext, 1)
      this.emit('frame', next)
    }
  }

  private onBundle(d: Uint8Array): void {
    let frames: Uint8Array[]
    try {
      frames = unbundle(d, this.maxPayload)
    } catch {
      return this.drop()
    }
    const last = frames.length - 1
    for (let i = 0; i <= last && !this.closed; i++) {
      const f = frames[i]!
      if (f[3] !== MSG.AUDIO || readU32(f, 8) !== this.sessionId) continue
      const seq = (f[6]! << 8) | f[7]!
      if (this.seenAudio?.has(seq)) continue
      if (i < last) this.counters.packetsRecovered++
      this.markAudio(seq)
      this.emit('frame', f)
    }
  }

  private markAudio(seq: number): void {
    this.seenAudio ??= new SeqWindow()
    this.seenAudio.mark(seq)
  }

  private ack(seq: number): void {
    const out = Buffer.allocUnsafe(HEADER_BYTES)
    writeHeader(out, 0, { type: MSG.ACK, codec: 0, flags: 0, seq, sessionId: this.sessionId ?? 0, timestamp: 0, payloadLength: 0 })
    this.transmit(out)
  }

  private transmit(bytes: Uint8Array): void {
    if (!this.validated) {
      if (this.counters.bytesSent + bytes.byteLength > this.budget) return // anti-amplification: wait for the rig to pay
    }
    this.counters.framesSent++
    this.counters.bytesSent += bytes.byteLength
    this.o.sendDatagram(bytes)
  }

  private arm(): void {
    let next = Infinity
    for (const p of this.pending.values()) next = Math.min(next, p.dueAtMs)
    if (next === Infinity || next >= this.timerAtMs) return
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timerAtMs = next
    this.timer = this.clock.setTimeout(() => this.retransmit(), Math.max(1, next - this.clock.now()))
  }

  private retransmit(): void {
    this.timer = undefined
    this.timerAtMs = Infinity
    if (this.closed) return
    const now = this.clock.now()
    for (const [seq, p] of this.pending) {
      if (p.dueAtMs > now) continue
      if (p.attempts >= MAX_ATTEMPTS) {
        const type = messageTypeName(p.bytes[3]!)
        this.abort(new TimeoutError('NO_ACK', `${this.remote} did not acknowledge ${type} (seq ${seq}) after ${MAX_ATTEMPTS} tries`))
        return
      }
      p.attempts++
      p.dueAtMs = now + Math.min(MAX_RTO_MS, this.rtoMs * 2 ** (p.attempts - 1))
      this.counters.retransmits++
      this.transmit(p.bytes)
    }
    this.arm()
  }

  private drop(): void {
    this.counters.datagramsDropped++
  }

  private finish(err?: Error): void {
    if (this.closed) return
    this.closed = true
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.pending.clear()
    this.held.clear()
    this.o.onClosed?.()
    this.emit('close', err)
  }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0
}

/** CONNECT: a header and zero padding up to MIN_CONNECT_BYTES. */
export function connectDatagram(): Uint8Array {
  const out = new Uint8Array(MIN_CONNECT_BYTES)
  writeHeader(out, 0, { type: MSG.CONNECT, codec: 0, flags: 0, seq: 0, sessionId: 0, timestamp: 0, payloadLength: MIN_CONNECT_BYTES - HEADER_BYTES })
  return out
}
