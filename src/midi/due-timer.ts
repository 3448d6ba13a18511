// One callback at a local time, to a fraction of a millisecond. Node's timers count whole
// milliseconds of the event loop's cached time: measured on this project's 2-core box
// (bench/midi-due.mjs, docs/BENCHMARKS.md), a plain setTimeout to a due time fires from
// 1.9 ms early to more than 1 ms late. So the timer is set EARLY_MS before the due time and
// the last stretch is polled on the event loop's next turns (the clock's setImmediate):
// never early, half within 2 us; I/O still runs between polls. A test clock without
// setImmediate has exact timers and is simply set for the due time.

import type { Clock } from '../clock.js'

/**
 * How long before its due time the timer is set: a Node timer fires up to ~1 ms late, so
 * less leaves the due time to the timer's lateness. bench/midi-due.mjs, calmer runs: p99
 * 0.16-0.43 ms late at 2 ms, 0.3-0.9 ms at 1.5 ms, 1.4 ms and more at 1 ms. The price is
 * the polling: about 1.5 ms of CPU per wait at 2 ms.
 */
export const EARLY_MS = 2

export class DueTimer {
  private timer: unknown
  private polling = false
  private atMs = 0
  private fn: (() => void) | undefined

  /** `earlyMs`: how long before the due time the timer is set (bench/midi-due.mjs compares them). */
  constructor(
    private readonly clock: Clock,
    private readonly earlyMs = EARLY_MS,
  ) {}

  /** Calls `fn` once, at local time `atMs` or as soon after as the loop allows (at once if past). Replaces any earlier schedule. */
  at(atMs: number, fn: () => void): void {
    this.atMs = atMs
    this.fn = fn
    this.arm()
  }

  /** Nothing is called until the next `at`. */
  cancel(): void {
    this.clearTimer()
    this.fn = undefined
  }

  get pending(): boolean {
    return this.fn !== undefined
  }

  private arm(): void {
    this.clearTimer()
    const fn = this.fn
    if (!fn) return
    const leftMs = this.atMs - this.clock.now()
    if (leftMs <= 0) {
      this.fn = undefined
      fn()
      return
    }
    const poll = this.clock.setImmediate
    if (!poll) {
      this.timer = this.clock.setTimeout(() => this.onTimer(), leftMs)
      return
    }
    if (leftMs > this.earlyMs) {
      this.timer = this.clock.setTimeout(() => this.onTimer(), leftMs - this.earlyMs)
      return
    }
    // One poll in flight at a time: a new `at` during it is picked up when it runs.
    if (this.polling) return
    this.polling = true
    poll.call(this.clock, () => {
      this.polling = false
      this.arm()
    })
  }

  private onTimer(): void {
    this.timer = undefined
    this.arm()
  }

  private clearTimer(): void {
    if (this.timer === undefined) return
    this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
