// What every transport shares, written once, in the manner of js-libp2p's
// AbstractMessageStream: the status, the counters, the capped send queue in front of a
// lower layer that is full, the policy for a peer that stays behind, the close promise,
// an idempotent close() and abort(), and the frame/drain/close events. A concrete
// transport implements only putting one frame on its lower layer (`sendFrame`), ending
// that layer gracefully (`endGracefully`) or at once (`destroy`), and hands each whole
// frame it receives to `received`.
//
// The queue only fills while the lower layer says it is full (TCP's socket past its
// high-water mark, a paused memory peer). UDP's never is: a datagram is sent or lost.

import { TimeoutError } from '../src/errors.js'
import type { Clock } from '../src/clock.js'
import { SendQueue } from './send-queue.js'
import { TransportEmitter, type FrameClass, type Transport, type TransportStats } from './transport.js'

export type TransportStatus = 'open' | 'closing' | 'closed'

export interface BaseTransportOptions {
  /** "host:port" of the other side, for logs and error messages. */
  remote: string
  /** Reads time for the stall policy and times the close; tests pass a ManualClock. */
  clock: Clock
  /** Cap on bytes waiting for a lower layer that is full. @default 1 MiB */
  maxQueueBytes?: number | undefined
  /** A peer that has not drained for this long, or has made us drop audio for this long, is dropped. @default 4000 */
  stallTimeoutMs?: number | undefined
}

export const DEFAULT_QUEUE_BYTES = 1024 * 1024
export const DEFAULT_STALL_MS = 4000
/** A peer that never reads (or never acknowledges) must not hold a graceful close forever. */
export const CLOSE_TIMEOUT_MS = 2000

export abstract class BaseTransport<S extends TransportStats = TransportStats> extends TransportEmitter implements Transport {
  abstract readonly kind: Transport['kind']
  abstract readonly reliable: boolean
  readonly remote: string
  protected readonly clock: Clock
  protected readonly counters: S
  private readonly queue: SendQueue
  private readonly stallTimeoutMs: number
  private state: TransportStatus = 'open'
  /** The lower layer refused more (sendFrame returned false) and has not drained since. */
  private needDrain = false
  /** When frames first had to wait; undefined while nothing waits. */
  private stalledSinceMs: number | undefined
  /** When the queue first had to drop audio; reset whenever it empties. */
  private droppingSinceMs: number | undefined
  private closing: Promise<void> | undefined
  private closeTimer: unknown
  private ending = false

  constructor(o: BaseTransportOptions, counters: S) {
    super()
    this.remote = o.remote
    this.clock = o.clock
    this.counters = counters
    this.queue = new SendQueue(o.maxQueueBytes ?? DEFAULT_QUEUE_BYTES)
    this.stallTimeoutMs = o.stallTimeoutMs ?? DEFAULT_STALL_MS
  }

  get status(): TransportStatus {
    return this.state
  }

  get stats(): S {
    this.counters.framesDropped = this.queue.dropped
    this.counters.queuedBytes = this.queue.bytes + this.lowerQueuedBytes()
    return this.counters
  }

  abstract setMaxPayload(bytes: number): void

  send(frame: Uint8Array, cls: FrameClass = 'control'): boolean {
    if (this.state !== 'open') return false
    if (this.needDrain || this.queue.length > 0) {
      this.enqueue(frame, cls)
      return false
    }
    return this.write(frame)
  }

  close(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve()
    this.closing ??= new Promise<void>((resolve) => {
      this.once('close', () => resolve())
      this.state = 'closing'
      this.closeTimer = this.clock.setTimeout(() => this.end(), CLOSE_TIMEOUT_MS)
      if (this.queue.length === 0) this.endOnce()
    })
    return this.closing
  }

  abort(err: Error): void {
    this.end(err)
  }

  /** Puts one frame on the lower layer, counting it. false: the layer is full; call `drained()` when it is not. */
  protected abstract sendFrame(frame: Uint8Array): boolean

  /** Nothing is queued any more: close the lower layer gracefully. It must lead to `finish()`. */
  protected abstract endGracefully(): void

  /** Tear the lower layer down now; called once, after `finish()`. */
  protected abstract destroy(): void

  /** Bytes the lower layer itself still holds (a socket's buffer, unacknowledged messages). */
  protected lowerQueuedBytes(): number {
    return 0
  }

  /** A whole frame from the peer, for the session: what the concrete transport received. Nothing once closed. */
  protected received(frame: Uint8Array): void {
    if (this.state !== 'closed') this.emit('frame', frame)
  }

  /** Cleanup for every way of closing, run before the 'close' event. */
  protected onFinish(): void {}

  /** The lower layer can take frames again: send what waited, then say 'drain'. */
  protected drained(): void {
    this.needDrain = false
    this.stalledSinceMs = undefined
    while (!this.needDrain && this.state !== 'closed') {
      const frame = this.queue.shift()
      if (frame === undefined) break
      this.write(frame)
    }
    if (this.state === 'closed') return
    if (this.queue.length > 0) {
      this.stalledSinceMs = this.clock.now()
      return
    }
    this.droppingSinceMs = undefined
    this.emit('drain')
    if (this.state === 'closing') this.endOnce()
  }

  /** Closed, by either side: `err` says why when it was not a graceful close. Idempotent. */
  protected finish(err?: Error): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    if (this.closeTimer !== undefined) this.clock.clearTimeout(this.closeTimer)
    this.queue.clear()
    this.onFinish()
    this.emit('close', err)
  }

  private end(err?: Error): void {
    if (this.state === 'closed') return
    // The reason first: the lower layer's own close must not win and report a clean close.
    this.finish(err)
    this.destroy()
  }

  private endOnce(): void {
    if (this.ending) return
    this.ending = true
    this.endGracefully()
  }

  private write(frame: Uint8Array): boolean {
    const more = this.sendFrame(frame)
    if (!more) this.needDrain = true
    return more
  }

  /**
   * A frame that must wait. A peer that stays behind is dropped with a TimeoutError saying
   * so: one that has not drained for `stallTimeoutMs` (it stopped reading), one that has
   * made us drop audio for that long without its queue ever emptying (it reads, but slower
   * than the stream), or one whose control frames alone pass the cap (nothing can be dropped).
   */
  private enqueue(frame: Uint8Array, cls: FrameClass): void {
    const now = this.clock.now()
    const limitS = (this.stallTimeoutMs / 1000).toFixed(1)
    if (this.stalledSinceMs === undefined) this.stalledSinceMs = now
    else if (now - this.stalledSinceMs > this.stallTimeoutMs) {
      return this.abort(new TimeoutError('TOO_SLOW', `peer ${this.remote} fell behind: nothing drained for ${limitS} s`))
    }
    if (this.queue.push(frame, cls) && this.droppingSinceMs === undefined) this.droppingSinceMs = now
    if (this.droppingSinceMs !== undefined && now - this.droppingSinceMs > this.stallTimeoutMs) {
      return this.abort(
        new TimeoutError('TOO_SLOW', `peer ${this.remote} fell behind: reading slower than the stream, audio dropped for ${limitS} s`),
      )
    }
    if (this.queue.controlBytes > this.queue.maxBytes) {
      const waiting = this.queue.controlBytes
      return this.abort(
        new TimeoutError(
          'TOO_SLOW',
          `peer ${this.remote} fell behind: ${waiting} bytes of control messages waiting, more than the ${this.queue.maxBytes}-byte cap`,
        ),
      )
    }
  }
}
