// The ARQ behind UDP's control messages, alone: no socket, and time only from the Clock
// it is given, so a ManualClock and a fake datagram path test every timing in it.
// - Sending: each message gets the RELIABLE flag and its own 16-bit sequence number, and
//   is retransmitted until the peer's ACK for that seq arrives: first after the RTO, then
//   after twice that each time, capped at MAX_RTO_MS, and given up after MAX_ATTEMPTS.
// - The RTO is 2·RTT + 20 ms from the last unambiguous round trip (Karn's rule: a
//   retransmitted message's ACK may answer either copy, so it teaches nothing).
// - Receiving: every reliable message is acknowledged and delivered once, in order; those
//   that overtake a missing one are held (at most MAX_HELD) until it comes.

import { messageTypeName, peekType, withReliableSeq } from '../src/codec/header.js'
import { seqAdd, seqDiff } from '../src/codec/seq.js'
import { TimeoutError } from '../src/errors.js'
import type { Clock } from '../src/clock.js'

export const FIRST_RTO_MS = 100
export const MAX_RTO_MS = 1000
export const MIN_RTO_MS = 40
/** 100 + 200 + 400 + 800 + 1000 x 8 ms: ~9.5 s, longer than the session's keep-alive. */
export const MAX_ATTEMPTS = 12
/** Reliable messages held while an earlier one is missing. */
export const MAX_HELD = 64

export interface ReliableLink {
  clock: Clock
  /** The peer, for the give-up message. */
  remote: string
  /** Puts one (re)transmission on the wire. */
  transmit(bytes: Uint8Array): void
  /** Acknowledges the peer's reliable message `seq`. */
  ack(seq: number): void
  /** One of the peer's reliable messages, once and in order. */
  deliver(frame: Uint8Array): void
  /** No ACK after MAX_ATTEMPTS tries: the peer is gone. */
  fail(err: TimeoutError): void
}

interface Pending {
  bytes: Uint8Array
  attempts: number
  sentAtMs: number
  dueAtMs: number
}

export class UdpReliable {
  /** Transmissions after the first, over the life of this link. */
  retransmits = 0
  private sendSeq = 0
  private readonly pending = new Map<number, Pending>()
  private recvNext = 0
  private readonly held = new Map<number, Uint8Array>()
  private rto = FIRST_RTO_MS
  private timer: unknown
  private timerAtMs = Infinity
  private idle: Array<() => void> = []
  private stopped = false

  constructor(private readonly link: ReliableLink) {}

  /** The retransmission timeout the next message starts with. */
  get rtoMs(): number {
    return this.rto
  }

  /** Bytes sent and not yet acknowledged. */
  get pendingBytes(): number {
    let bytes = 0
    for (const p of this.pending.values()) bytes += p.bytes.byteLength
    return bytes
  }

  get heldCount(): number {
    return this.held.size
  }

  /** Sends `frame` reliably (a marked copy: the caller's bytes may be shared). */
  send(frame: Uint8Array): void {
    if (this.stopped) return
    const seq = this.sendSeq
    this.sendSeq = seqAdd(seq, 1)
    const bytes = withReliableSeq(frame, seq)
    const now = this.link.clock.now()
    this.pending.set(seq, { bytes, attempts: 1, sentAtMs: now, dueAtMs: now + this.rto })
    this.link.transmit(bytes)
    this.arm()
  }

  /** The peer's ACK for `seq`. A duplicate, or one for nothing we sent, changes nothing. */
  acked(seq: number): void {
    const p = this.pending.get(seq)
    if (!p) return
    this.pending.delete(seq)
    if (p.attempts === 1) {
      const rttMs = this.link.clock.now() - p.sentAtMs
      this.rto = Math.max(MIN_RTO_MS, Math.min(MAX_RTO_MS, 2 * rttMs + 20))
    }
    if (this.pending.size === 0) this.becameIdle()
  }

  /**
   * A frame from the peer with the RELIABLE flag and sequence `seq`. Returns false when it
   * was refused (too many held already): not acknowledged, so the peer sends it again.
   */
  received(seq: number, frame: Uint8Array): boolean {
    if (this.stopped) return true
    const ahead = seqDiff(this.recvNext, seq)
    if (ahead < 0 || this.held.has(seq)) {
      this.link.ack(seq) // a retransmission of something we have: our ACK was lost
      return true
    }
    if (ahead > 0 && this.held.size >= MAX_HELD) return false
    this.link.ack(seq)
    if (ahead > 0) {
      this.held.set(seq, frame)
      return true
    }
    this.recvNext = seqAdd(seq, 1)
    this.link.deliver(frame)
    for (let next = this.held.get(this.recvNext); next !== undefined && !this.stopped; next = this.held.get(this.recvNext)) {
      this.held.delete(this.recvNext)
      this.recvNext = seqAdd(this.recvNext, 1)
      this.link.deliver(next)
    }
    return true
  }

  /** Calls `fn` once nothing waits for an ACK: now, if nothing does. Never after stop(). */
  whenIdle(fn: () => void): void {
    if (this.stopped) return
    if (this.pending.size === 0) return fn()
    this.idle.push(fn)
  }

  /** Forgets everything and cancels the timer. Idempotent. */
  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.link.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.pending.clear()
    this.held.clear()
    this.idle = []
  }

  private becameIdle(): void {
    const waiting = this.idle
    this.idle = []
    for (const fn of waiting) fn()
  }

  /** One timer, for the earliest due retransmission; moved only when an earlier one appears. */
  private arm(): void {
    let next = Infinity
    for (const p of this.pending.values()) next = Math.min(next, p.dueAtMs)
    if (next === Infinity || next >= this.timerAtMs) return
    const clock = this.link.clock
    if (this.timer !== undefined) clock.clearTimeout(this.timer)
    this.timerAtMs = next
    this.timer = clock.setTimeout(() => this.retransmit(), Math.max(1, next - clock.now()))
  }

  private retransmit(): void {
    this.timer = undefined
    this.timerAtMs = Infinity
    if (this.stopped) return
    const now = this.link.clock.now()
    for (const [seq, p] of this.pending) {
      if (p.dueAtMs > now) continue
      if (p.attempts >= MAX_ATTEMPTS) {
        const type = messageTypeName(peekType(p.bytes) ?? -1)
        this.link.fail(
          new TimeoutError('NO_ACK', `${this.link.remote} did not acknowledge ${type} (seq ${seq}) after ${MAX_ATTEMPTS} tries`),
        )
        return
      }
      p.attempts++
      p.dueAtMs = now + Math.min(MAX_RTO_MS, this.rto * 2 ** (p.attempts - 1))
      this.retransmits++
      this.link.transmit(p.bytes)
    }
    this.arm()
  }
}
