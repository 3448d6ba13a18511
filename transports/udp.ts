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
// The ARQ lives in udp-reliable.ts, the common state in base-transport.ts, and the sockets
// in udp-listen.ts (the server's) and udp-connect.ts (a rig's).

import {
  FLAG,
  HEADER_BYTES,
  MSG,
  PROTOCOL_VERSION,
  hasMagic,
  isWholeFrame,
  peekFlags,
  peekSeq,
  peekSession,
  peekType,
  peekVersion,
  writeHeader,
  VersionMismatchError,
} from '../src/codec/header.js'
import { CONTROL_MAX_PAYLOAD, RELIABLE_TYPES } from '../src/codec/messages.js'
import { unbundle } from '../src/codec/datagrams.js'
import { SeqWindow } from '../src/codec/seq.js'
import type { Clock } from '../src/clock.js'
import { BaseTransport } from './base-transport.js'
import { emptyStats, type TransportStats } from './transport.js'
import { UdpReliable } from './udp-reliable.js'

/** QUIC pads its first datagram to 1200 bytes; HELLO is a few hundred, so this covers it. */
export const MIN_CONNECT_BYTES = 1200

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
  /** Times retransmissions and the close; given by whoever opens the socket. */
  clock: Clock
  /** Called once the transport has closed, so the owner can forget it. */
  onClosed?: () => void
  /** The show's session id; undefined on a rig until the first HELLO teaches it. */
  sessionId?: number
  /** Bytes received from an unvalidated peer, the budget for what we may send it. */
  budget?: number | undefined
  maxPayload?: number
}

export class UdpTransport extends BaseTransport<UdpStats> {
  readonly kind = 'udp'
  readonly reliable = false
  private readonly arq: UdpReliable
  private sessionId: number | undefined
  private validated: boolean
  private budget: number
  private maxPayload: number
  /** One mark per audio seq: which packets already arrived, so redundant copies are dropped. Only rigs receive audio: made on first use. */
  private seenAudio: SeqWindow | undefined

  constructor(private readonly o: UdpPeerOptions) {
    super({ remote: o.remote, clock: o.clock }, { ...emptyStats(), datagramsDropped: 0, retransmits: 0, packetsRecovered: 0 })
    this.sessionId = o.sessionId
    this.validated = o.budget === undefined
    this.budget = o.budget ?? 0
    this.maxPayload = o.maxPayload ?? CONTROL_MAX_PAYLOAD
    this.arq = new UdpReliable({
      clock: o.clock,
      remote: o.remote,
      transmit: (bytes) => this.transmit(bytes),
      ack: (seq) => this.ack(seq),
      deliver: (frame) => this.received(frame),
      fail: (err) => this.abort(err),
    })
  }

  override get stats(): UdpStats {
    const s = super.stats
    s.retransmits = this.arq.retransmits
    return s
  }

  setMaxPayload(bytes: number): void {
    this.maxPayload = bytes
  }

  /** One datagram from the peer. Never throws: bad datagrams are counted and dropped. */
  receive(d: Uint8Array): void {
    if (this.status === 'closed') return
    this.counters.bytesReceived += d.byteLength
    if (!hasMagic(d)) return this.drop()
    const version = peekVersion(d)!
    if (version !== PROTOCOL_VERSION) {
      // Only a rig still waiting for its first HELLO hears this: tell it, once, which versions differ.
      if (this.sessionId === undefined) this.emit('badFrame', new VersionMismatchError(version))
      return this.drop()
    }
    // The kernel already bounds a datagram (64 KiB); what matters is that it is exactly one frame.
    if (!isWholeFrame(d)) return this.drop()
    const type = peekType(d)
    if (type === MSG.CONNECT) {
      // A retransmitted CONNECT: the rig has not heard us yet, and it pays for our answer.
      this.budget += d.byteLength
      if (!this.validated) this.answerConnect()
      return
    }
    const session = peekSession(d)
    if (this.sessionId === undefined) this.sessionId = session
    else if (session !== this.sessionId) return this.drop()
    this.validated = true
    const seq = peekSeq(d)!
    if (type === MSG.ACK) return this.arq.acked(seq)
    this.counters.framesReceived++
    if (type === MSG.BUNDLE) return this.onBundle(d)
    if (peekFlags(d)! & FLAG.RELIABLE) {
      if (!this.arq.received(seq, d)) this.drop() // not acknowledged: it will come again
      return
    }
    if (type === MSG.AUDIO) this.markAudio(seq)
    this.received(d)
  }

  /**
   * The server's first answer to a CONNECT: a bare ACK (20 bytes) carrying the session id,
   * so the rig knows it was heard before the session speaks. Its seq, 0xffff, acknowledges
   * nothing the rig can have sent yet (its reliable messages count from 0).
   */
  answerConnect(): void {
    this.ack(0xffff)
  }

  /** Control messages (RELIABLE_TYPES) go through the ARQ; audio and PING/PONG once. Never full. */
  protected sendFrame(frame: Uint8Array): boolean {
    if (RELIABLE_TYPES[peekType(frame) ?? -1]) this.arq.send(frame)
    else this.transmit(frame)
    return true
  }

  /** Wait for our reliable messages (a TERMINATE, say) to be acknowledged; the base bounds the wait. */
  protected endGracefully(): void {
    this.arq.whenIdle(() => this.finish())
  }

  protected destroy(): void {}

  protected override lowerQueuedBytes(): number {
    return this.arq.pendingBytes
  }

  protected override onFinish(): void {
    this.arq.stop()
    this.o.onClosed?.()
  }

  private onBundle(d: Uint8Array): void {
    let frames: Uint8Array[]
    try {
      frames = unbundle(d, this.maxPayload)
    } catch {
      return this.drop()
    }
    const last = frames.length - 1
    for (let i = 0; i <= last && this.status !== 'closed'; i++) {
      const f = frames[i]!
      if (peekType(f) !== MSG.AUDIO || peekSession(f) !== this.sessionId) continue
      const seq = peekSeq(f)!
      if (this.seenAudio?.has(seq)) continue
      if (i < last) this.counters.packetsRecovered++
      this.markAudio(seq)
      this.received(f)
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

  private drop(): void {
    this.counters.datagramsDropped++
  }
}

/** CONNECT: a header and zero padding up to MIN_CONNECT_BYTES. */
export function connectDatagram(): Uint8Array {
  const out = new Uint8Array(MIN_CONNECT_BYTES)
  writeHeader(out, 0, {
    type: MSG.CONNECT,
    codec: 0,
    flags: 0,
    seq: 0,
    sessionId: 0,
    timestamp: 0,
    payloadLength: MIN_CONNECT_BYTES - HEADER_BYTES,
  })
  return out
}
