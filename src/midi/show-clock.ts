// Local time <-> show position on a receiver, learned from what arrives: the offset is the
// smallest (arrival time - media time) seen over the last two windows, i.e. the fastest
// transit, so it follows slow drift and ignores late packets. Used to deliver MIDI at its
// timestamp plus a fixed delay (--midi-jitter), and by a rig to timestamp its own MIDI.

import { framesToMs, msToFrames } from '../codec/format.js'
import { TimestampUnwrapper } from '../codec/seq.js'

const WINDOW_MS = 2000

export class ShowClockMap {
  private readonly unwrap = new TimestampUnwrapper()
  private windowStartMs: number | undefined
  private currentMin = Infinity
  private previousMin = Infinity

  constructor(private readonly rateHz: number) {}

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

  /** The local time at which `position` arrives over the fastest path seen, or undefined if nothing has arrived. */
  localTimeOf(position: number): number | undefined {
    if (!this.known) return undefined
    return framesToMs(this.unwrap.unwrap(position), this.rateHz) + this.offsetMs
  }

  /** The show position the server was at when a packet leaving it now would arrive here at `localMs` (32-bit). */
  positionAt(localMs: number): number | undefined {
    if (!this.known) return undefined
    return Math.max(0, msToFrames(localMs - this.offsetMs, this.rateHz)) >>> 0
  }
}
