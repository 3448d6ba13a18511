// Local time <-> show position on a receiver, learned from what arrives: the offset is the
// smallest (arrival time - media time) seen over the last two windows, i.e. the fastest
// transit, so it follows slow drift and ignores late packets; a position leaves the rig the
// latency after that. The rig's show-time map until the show clock's (src/sync/show-time.ts,
// from the clock estimate and the server's timeline) is wired into the runner: then this
// file goes. MIDI is delivered by it and the rig's own MIDI is stamped with it.

import { framesToMs, msToFrames } from '../codec/format.js'
import { TimestampUnwrapper } from '../codec/seq.js'
import type { ShowTimeMap } from '../sync/show-time.js'

const WINDOW_MS = 2000

export class ShowClockMap implements ShowTimeMap {
  private readonly unwrap = new TimestampUnwrapper()
  private windowStartMs: number | undefined
  private currentMin = Infinity
  private previousMin = Infinity

  /** `latencyMs`: a position leaves this long after it arrives over the fastest path. */
  constructor(
    private readonly rateHz: number,
    private readonly latencyMs = 0,
  ) {}

  /** Something stamped `position` (32-bit, wrapping) arrived at `arrivalMs`. */
  observe(position: number, arrivalMs: number): void {
    const offset = arrivalMs - framesToMs(this.unwrap.unwrap(position), this.rateHz)
    if (this.windowStartMs === undefined) this.windowStartMs = arrivalMs
    if (arrivalMs - this.windowStartMs >= WINDOW_MS) {
      this.previousMin = this.currentMin
      this.currentMin = Infinity
      this.windowStartMs = arrivalMs
    }
    if (offset < this.currentMin) this.currentMin = offset
  }

  get known(): boolean {
    return this.offsetMs !== Infinity
  }

  private get offsetMs(): number {
    return Math.min(this.currentMin, this.previousMin)
  }

  /** The local time at which `position` leaves: its arrival over the fastest path seen, plus the latency; undefined if nothing has arrived. */
  localTimeOf(position: number): number | undefined {
    if (!this.known) return undefined
    return framesToMs(this.unwrap.unwrap(position), this.rateHz) + this.offsetMs + this.latencyMs
  }

  /** The show position leaving here at `localMs` (32-bit); undefined if nothing has arrived. */
  positionAt(localMs: number): number | undefined {
    if (!this.known) return undefined
    return Math.max(0, msToFrames(localMs - this.offsetMs - this.latencyMs, this.rateHz)) >>> 0
  }
}
