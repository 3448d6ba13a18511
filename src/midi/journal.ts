// The sending half of a MIDI stream, the same on server (many peers) and rig (one).
// Every message gets a serial and stays in the journal until every UDP peer has
// acknowledged it; each MIDI frame to those peers carries everything still unacknowledged,
// and a quiet stream is repeated every RESEND_MS. So one lost datagram loses nothing, with
// no retransmission round trip (RFC 6295's recovery journal, reduced to "repeat until
// acked"). Reliable peers (TCP) get each message once. Either way a broadcast is encoded
// once and the same bytes go to every peer that needs them.

import { encodeMidiFrame, MIDI_EVENT_MORE, MIDI_FRAGMENT_BYTES, packEvents, type MidiEvent } from '../codec/midi.js'
import { seqAdd } from '../codec/seq.js'

/** A quiet stream with unacknowledged messages is sent again this often (ms). */
export const RESEND_MS = 10
/** Messages older than this are given up on, acknowledged or not: the receiver then sees a gap and releases held notes. */
export const JOURNAL_MAX_AGE_MS = 2000
/** And at most this many are kept: a peer that stops acknowledging cannot grow memory. */
export const JOURNAL_MAX_EVENTS = 1024

export type PeerKey = number

interface PeerState {
  reliable: boolean
  /** The first serial this peer has not acknowledged. */
  next: number
  lastSentMs: number
}

/** Frames to send, and to whom: one encoding, many peers. */
export interface MidiSend {
  frames: Uint8Array[]
  peers: PeerKey[]
}

interface Stored extends MidiEvent {
  enteredMs: number
}

export class MidiJournal {
  private events: Stored[] = []
  /** Serial of events[0]. */
  private base = 0
  /** Serial the next message gets. */
  private nextSerial = 0
  /** Everything before this has gone out at least once. */
  private sentUpTo = 0
  private readonly peers = new Map<PeerKey, PeerState>()
  private seq = 0
  /** Messages given up on before every peer acknowledged them. */
  expired = 0

  constructor(private readonly sessionId: () => number) {}

  /** The serial the next message will get: where a new peer starts. */
  get headSerial(): number {
    return this.nextSerial
  }

  addPeer(peer: PeerKey, reliable: boolean, now: number): void {
    this.peers.set(peer, { reliable, next: this.nextSerial, lastSentMs: now })
  }

  /** A peer moved to another connection (a transport switch): it keeps its place. */
  movePeer(from: PeerKey, to: PeerKey, reliable: boolean): void {
    const p = this.peers.get(from)
    if (!p) return
    this.peers.delete(from)
    // Moving to TCP: what the old path had not confirmed is sent once more, in order, on the new one.
    this.peers.set(to, { ...p, reliable })
    if (reliable && serialBefore(p.next, this.sentUpTo)) this.pendingReplay.set(to, p.next)
  }

  private readonly pendingReplay = new Map<PeerKey, number>()

  removePeer(peer: PeerKey): void {
    this.peers.delete(peer)
    this.pendingReplay.delete(peer)
  }

  get peerCount(): number {
    return this.peers.size
  }

  /** Queues one whole MIDI message; a long sysex becomes fragments. */
  push(data: Uint8Array, position: number, now: number): void {
    for (let at = 0; at < data.byteLength; at += MIDI_FRAGMENT_BYTES) {
      const end = Math.min(data.byteLength, at + MIDI_FRAGMENT_BYTES)
      this.events.push({
        serial: this.nextSerial,
        position: position >>> 0,
        flags: end < data.byteLength ? MIDI_EVENT_MORE : 0,
        data: at === 0 && end === data.byteLength ? data : data.subarray(at, end),
        enteredMs: now,
      })
      this.nextSerial = (this.nextSerial + 1) >>> 0
    }
  }

  /** A peer acknowledged every serial before `next`. */
  ack(peer: PeerKey, next: number): void {
    const p = this.peers.get(peer)
    if (!p) return
    // Only forward, and never past what was sent: a stale or forged ACK changes nothing.
    if (serialBefore(p.next, next) && !serialBefore(this.nextSerial, next)) p.next = next
  }

  /**
   * What to send now: new messages to every peer (reliable ones get only those), and, to
   * UDP peers, everything they have not acknowledged. With `resendOnly`, just the repeats
   * due (the RESEND_MS timer).
   */
  flush(now: number, resendOnly = false): MidiSend[] {
    this.trim(now)
    const out: MidiSend[] = []
    const hasNew = this.sentUpTo !== this.nextSerial
    if (hasNew) resendOnly = false
    if (hasNew && !resendOnly) {
      const reliable: PeerKey[] = []
      for (const [key, p] of this.peers) {
        if (!p.reliable || this.pendingReplay.has(key)) continue
        reliable.push(key)
        p.next = this.nextSerial // a reliable transport delivers what it is given, in order
      }
      if (reliable.length > 0) out.push({ frames: this.frames(this.sentUpTo, this.nextSerial), peers: reliable })
    }
    for (const [key, from] of this.pendingReplay) {
      out.push({ frames: this.frames(serialBefore(from, this.base) ? this.base : from, this.nextSerial), peers: [key] })
      const p = this.peers.get(key)
      if (p) p.next = this.nextSerial
    }
    this.pendingReplay.clear()
    // UDP peers: one tail from the oldest unacknowledged serial among those due.
    let oldest: number | undefined
    const due: PeerKey[] = []
    for (const [key, p] of this.peers) {
      if (p.reliable || p.next === this.nextSerial) continue
      if (resendOnly && now - p.lastSentMs < RESEND_MS) continue
      if (!resendOnly && !hasNew && now - p.lastSentMs < RESEND_MS) continue
      due.push(key)
      p.lastSentMs = now
      if (oldest === undefined || serialBefore(p.next, oldest)) oldest = p.next
    }
    if (oldest !== undefined) {
      const from = serialBefore(oldest, this.base) ? this.base : oldest
      out.push({ frames: this.frames(from, this.nextSerial), peers: due })
    }
    this.sentUpTo = this.nextSerial
    return out
  }

  /** True while some UDP peer has messages it has not acknowledged: keep the resend timer running. */
  get awaitingAcks(): boolean {
    for (const p of this.peers.values()) if (!p.reliable && p.next !== this.nextSerial) return true
    return false
  }

  private frames(fromSerial: number, toSerial: number, oldest = fromSerial): Uint8Array[] {
    const from = (fromSerial - this.base) >>> 0
    const to = (toSerial - this.base) >>> 0
    const frames: Uint8Array[] = []
    packEvents(this.events, from, to, (a, b) => {
      frames.push(
        encodeMidiFrame(this.events, a, b, { seq: this.seq, sessionId: this.sessionId(), timestamp: this.events[a]!.position, oldest }),
      )
      this.seq = seqAdd(this.seq, 1)
    })
    return frames
  }

  /** Drops what every peer has, and what is too old or too much to keep. */
  private trim(now: number): void {
    let keepFrom = this.sentUpTo
    for (const p of this.peers.values()) if (!p.reliable && serialBefore(p.next, keepFrom)) keepFrom = p.next
    for (const from of this.pendingReplay.values()) if (serialBefore(from, keepFrom)) keepFrom = from
    let drop = serialBefore(this.base, keepFrom) ? Math.min((keepFrom - this.base) >>> 0, this.events.length) : 0
    // Too old or too many: given up on though some peer has not acknowledged it (never before it went out once).
    const sent = Math.min((this.sentUpTo - this.base) >>> 0, this.events.length)
    while (drop < sent && (now - this.events[drop]!.enteredMs > JOURNAL_MAX_AGE_MS || this.events.length - drop > JOURNAL_MAX_EVENTS)) {
      drop++
      this.expired++
    }
    if (drop > 0) {
      this.events.splice(0, drop)
      this.base = (this.base + drop) >>> 0
      // What is gone cannot be waited for: the receiver learns of the gap from the next frame's oldest serial.
      for (const p of this.peers.values()) if (serialBefore(p.next, this.base)) p.next = this.base
    }
  }
}

/** a comes before b, for wrapping 32-bit serials. */
export function serialBefore(a: number, b: number): boolean {
  return ((b - a) | 0) > 0
}
