// A sound card lost mid-show is tried again once a second until it opens (a sink's output
// card and a source's capture card alike). What "open" means is the caller's; it throws
// while the card is not back. Scheduled on the injected Clock, so a test steps through the
// attempts with a ManualClock instead of waiting for them.

import { unrefTimer, type Clock } from '../../clock.js'

const REOPEN_EVERY_MS = 1000

export class Reopener {
  private timer: unknown
  private stopped = false

  constructor(
    /** Throws, or rejects (an attempt that asks a device host off the event loop), while the card is not back. */
    private readonly attempt: () => void | Promise<void>,
    private readonly clock: Clock,
    private readonly everyMs = REOPEN_EVERY_MS,
  ) {}

  /** Tries in a second, and again every second while the attempt throws. */
  schedule(): void {
    if (this.stopped || this.timer !== undefined) return
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      if (this.stopped) return
      try {
        const pending = this.attempt()
        if (pending) pending.catch(() => this.schedule())
      } catch {
        this.schedule()
      }
    }, this.everyMs)
    // A show that ends while its card is away must not wait for the card.
    unrefTimer(this.timer)
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }
}
