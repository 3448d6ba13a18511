// An in-memory transport pair for unit tests: ordered, reliable, asynchronous like a
// socket (delivery on a later microtask), with the same frame boundaries as TCP. Like a
// socket it can be paused: a paused side holds what arrives, and once that passes a
// socket's high-water mark the sender is told to wait for 'drain', so the base's send
// queue and its caps work on memory as they do on TCP.

import { systemClock, type Clock } from '../src/clock.js'
import { BaseTransport } from './base-transport.js'
import { emptyStats } from './transport.js'

/** Node's default writableHighWaterMark for a socket. */
export const MEMORY_HIGH_WATER_BYTES = 16 * 1024

export interface MemoryOptions {
  /** Times the base's stall policy and close; memory itself never waits. @default systemClock */
  clock?: Clock
  maxQueueBytes?: number
  stallTimeoutMs?: number
}

export class MemoryTransport extends BaseTransport {
  readonly kind = 'memory'
  readonly reliable = true
  private peer: MemoryTransport | undefined
  private paused = false
  /** Frames that arrived while paused, not yet seen by this side's listeners. */
  private held: Uint8Array[] = []
  /** Bytes sent to this side and not yet seen by its listeners (in flight or held), as a socket's buffer. */
  private inboundBytes = 0

  constructor(remote: string, o: MemoryOptions = {}) {
    super({ remote, clock: o.clock ?? systemClock, maxQueueBytes: o.maxQueueBytes, stallTimeoutMs: o.stallTimeoutMs }, emptyStats())
  }

  setMaxPayload(): void {}

  /** Stops delivering what arrives, as a socket that is not read; the sender backs up. */
  pause(): void {
    this.paused = true
  }

  /** Delivers what was held, in order, and lets the sender go on. */
  resume(): void {
    this.paused = false
    const held = this.held
    this.held = []
    for (const f of held) {
      if (this.status === 'closed') return
      this.arrive(f)
    }
    this.peer?.drained()
  }

  protected sendFrame(frame: Uint8Array): boolean {
    const peer = this.peer
    if (!peer) return true // not paired: nothing to hear it
    this.counters.framesSent++
    this.counters.bytesSent += frame.byteLength
    // Copy: a real socket does not let the receiver see the sender's later writes.
    const copy = frame.slice()
    peer.inboundBytes += copy.byteLength
    queueMicrotask(() => peer.incoming(copy))
    return !peer.paused || peer.inboundBytes <= MEMORY_HIGH_WATER_BYTES
  }

  /** Lets frames already sent arrive before the far side sees the close, as TCP does. */
  protected endGracefully(): void {
    queueMicrotask(() => {
      this.finish()
      this.peer?.finish()
    })
  }

  protected destroy(): void {
    queueMicrotask(() => this.peer?.finish())
  }

  protected override lowerQueuedBytes(): number {
    return this.peer?.inboundBytes ?? 0
  }

  private incoming(frame: Uint8Array): void {
    if (this.status === 'closed') return
    if (this.paused) {
      this.held.push(frame)
      return
    }
    this.arrive(frame)
  }

  private arrive(frame: Uint8Array): void {
    this.inboundBytes -= frame.byteLength
    this.counters.framesReceived++
    this.counters.bytesReceived += frame.byteLength
    this.received(frame)
  }

  static pair(o: MemoryOptions = {}): [MemoryTransport, MemoryTransport] {
    const a = new MemoryTransport('memory:a', o)
    const b = new MemoryTransport('memory:b', o)
    a.peer = b
    b.peer = a
    return [a, b]
  }
}

export function memoryPair(o: MemoryOptions = {}): [MemoryTransport, MemoryTransport] {
  return MemoryTransport.pair(o)
}
