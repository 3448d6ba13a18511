// How deep the UDP jitter buffer runs: between the operator's floor (--latency) and a
// ceiling, driven by what arrives.
//
// Every arriving packet has a transit time (arrival minus media time). The fastest
// transit seen recently is the path's base; a packet's excess over it is the depth that
// packet needed to play on time. The depth rises at once to any packet's need and
// falls, once per window, to the largest need of the window just ended (peak-hold, as
// WebRTC's NetEq does with its delay histogram), never below twice the RFC 3550
// interarrival jitter. So:
// - a packet that arrives late (excess above the depth) raises the depth at once;
// - a packet that never arrives says nothing: loss cannot push the depth up
//   (the failure in sonobus issue 18);
// - once the path calms, the depth comes back down within two windows (2-4 s).

import { JitterEstimator } from './jitter-estimator.js'

export const DEPTH_WINDOW_MS = 2000
/** Room for the playout tick and the sink's write on loopback (docs/BENCHMARKS.md records no figure for it). */
export const DEPTH_MARGIN_MS = 1.5
/**
 * Extra depth for the first window. A process that has just started stalls for tens of ms
 * while V8 compiles its hot paths (a 37 ms late packet on an unimpaired loopback, measured);
 * the extra goes at the first window's end if the path was calm.
 */
export const STARTUP_EXTRA_MS = 40

export class DepthController {
  private readonly jitter = new JitterEstimator()
  private baseMs = Infinity
  private windowBaseMs = Infinity
  private prevBaseMs = Infinity
  private windowPeakMs = 0
  private prevPeakMs = 0
  private windowStartMs: number | undefined
  /** The depth the buffer should run at, in ms above the base transit. */
  depthMs: number
  raises = 0
  lowers = 0

  constructor(
    readonly floorMs: number,
    readonly ceilingMs: number,
    startupExtraMs = STARTUP_EXTRA_MS,
  ) {
    this.depthMs = Math.min(ceilingMs, floorMs + startupExtraMs)
  }

  get jitterMs(): number {
    return this.jitter.jitterMs
  }

  /** Where play-out should sit: media time + this offset, in the receiver's clock. */
  get offsetMs(): number {
    return this.baseMs + this.depthMs
  }

  /** One packet arrived at `arrivalMs` carrying media time `mediaMs`. */
  arrived(arrivalMs: number, mediaMs: number): void {
    const transit = arrivalMs - mediaMs
    this.jitter.update(arrivalMs, mediaMs)
    if (this.windowStartMs === undefined) {
      // The first packet's transit is the base until a faster one is seen.
      this.windowStartMs = arrivalMs
      this.baseMs = transit
    }
    if (arrivalMs - this.windowStartMs >= DEPTH_WINDOW_MS) this.rotate(arrivalMs)
    if (transit < this.windowBaseMs) this.windowBaseMs = transit
    const excess = transit - this.baseMs
    if (excess > this.windowPeakMs) this.windowPeakMs = excess
    // Late, or about to be: deepen now, not at the end of the window.
    const need = excess + DEPTH_MARGIN_MS
    if (need > this.depthMs && this.depthMs < this.ceilingMs) {
      this.depthMs = Math.min(this.ceilingMs, need)
      this.raises++
    }
  }

  private rotate(now: number): void {
    const newBase = Math.min(this.windowBaseMs, this.prevBaseMs)
    // Re-express the peaks against the new base so the depth means the same thing.
    const shift = this.baseMs - newBase
    this.prevPeakMs = this.windowPeakMs + shift
    this.prevBaseMs = this.windowBaseMs
    this.baseMs = newBase
    this.windowBaseMs = Infinity
    this.windowPeakMs = 0
    this.windowStartMs = now
    const target = clamp(Math.max(this.prevPeakMs + DEPTH_MARGIN_MS, 2 * this.jitter.jitterMs), this.floorMs, this.ceilingMs)
    // The base moved down by `shift`: keep the play-out time where it was unless the target says otherwise.
    const held = this.depthMs + shift
    if (target < held) {
      this.depthMs = target
      this.lowers++
    } else {
      this.depthMs = Math.min(this.ceilingMs, held)
    }
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v))
}
