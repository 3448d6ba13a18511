// One interface for every transport: whole frames in and out (js-libp2p's message
// streams, undici's dispatcher). TCP splits its byte stream into frames inside the
// transport; on UDP a datagram is a frame. Every queue has a hard cap.

import { EventEmitter } from 'node:events'
import type { SynchroError } from '../src/errors.js'

/** Media frames may be dropped (oldest first) when a peer falls behind; control frames never are. */
export type FrameClass = 'media' | 'control'

export interface TransportStats {
  framesSent: number
  bytesSent: number
  framesReceived: number
  bytesReceived: number
  /** Media frames dropped from the send queue because the peer fell behind. */
  framesDropped: number
  /** Bytes waiting in the transport's own queue and the socket's buffer. */
  queuedBytes: number
}

export interface TransportEvents {
  frame: [frame: Uint8Array]
  /** Bytes that cannot be a frame. The session decides what to tell the peer. */
  badFrame: [error: SynchroError]
  drain: []
  /** Closed, by either side. `error` says why when it was not a graceful close. */
  close: [error?: Error]
}

export interface Transport {
  readonly kind: 'tcp' | 'udp' | 'memory'
  readonly reliable: boolean
  /** "host:port" of the other side, for logs. */
  readonly remote: string
  readonly stats: TransportStats
  /** Queue a frame. false: the peer is behind; the frame is queued (or, if media, may be dropped later). */
  send(frame: Uint8Array, cls?: FrameClass): boolean
  /** Largest payload the receiver accepts from now on (raised after the handshake). */
  setMaxPayload(bytes: number): void
  /** Flush what is queued, then close. Idempotent. */
  close(): Promise<void>
  /** Close now, dropping anything queued. */
  abort(err: Error): void
  on<E extends keyof TransportEvents>(event: E, fn: (...args: TransportEvents[E]) => void): this
  once<E extends keyof TransportEvents>(event: E, fn: (...args: TransportEvents[E]) => void): this
  off<E extends keyof TransportEvents>(event: E, fn: (...args: TransportEvents[E]) => void): this
}

export function emptyStats(): TransportStats {
  return { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, framesDropped: 0, queuedBytes: 0 }
}

/** EventEmitter typed by TransportEvents, shared by the concrete transports. */
export class TransportEmitter extends EventEmitter<TransportEvents> {}
