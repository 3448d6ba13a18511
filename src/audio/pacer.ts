// Sends packets at real-time pace without drift: packet k is due at
// start + k * packetMs, computed from the count sent, never from accumulated timer
// delays. A late timer sends every packet that has come due, so the average rate stays
// exact however late the event loop wakes.

import type { Clock } from '../clock.js'

export class Pacer {
  private startMs = 0
  private sent = 0
  private timer: unknown
  private running = false

  constructor(
    private readonly clock: Clock,
    readonly packetMs: number,
    /** Returns false when there is nothing more to send. */
    private readonly sendNext: () => boolean,
  ) {}

  start(): void {
    if (this.running) return
    this.running = true
    this.startMs = this.clock.now()
    this.sent = 0
    this.run()
  }

  stop(): void {
    this.running = false
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Packets sent so far. */
  get count(): number {
    return this.sent
  }

  private run = (): void => {
    this.timer = undefined
    if (!this.running) return
    const now = this.clock.now()
    while (this.running && this.startMs + this.sent * this.packetMs <= now) {
      this.sent++
      if (!this.sendNext()) {
        this.running = false
        return
      }
    }
    if (!this.running) return
    const waitMs = this.startMs + this.sent * this.packetMs - now
    this.timer = this.clock.setTimeout(this.run, Math.max(0, waitMs))
  }
}
