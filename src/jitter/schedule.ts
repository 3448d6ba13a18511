// When each frame of the show plays, in the receiver's clock: frame P at
// anchorMs + (P - anchorPos) / rate, so the sink receives exactly one frame per frame of
// the show. Moving the anchor moves the whole schedule; nothing here reads a clock.

import { framesToMs } from '../codec/format.js'

export class PlayoutSchedule {
  /** Receiver time (ms) at which `anchorPos` plays. */
  anchorMs = 0
  /** A show position (unwrapped frames). */
  anchorPos = 0
  /** How long one frame lasts on the receiver's clock: 1000 / rate, or the show clock's, which carries both clocks' drift. */
  msPerFrame: number

  constructor(private readonly rateHz: number) {
    this.msPerFrame = 1000 / rateHz
  }

  /** Frame `pos` plays at `atMs`; with `msPerFrame`, frames last that long from now on. */
  anchor(atMs: number, pos: number, msPerFrame?: number): void {
    this.anchorMs = atMs
    this.anchorPos = pos
    if (msPerFrame !== undefined) this.msPerFrame = msPerFrame
  }

  /** When frame `pos` plays (ms). */
  playTimeMs(pos: number): number {
    return this.anchorMs + (pos - this.anchorPos) * this.msPerFrame
  }

  /**
   * The position just past the last frame due at `nowMs`: frame P is due once its time has
   * come, so every frame up to and including the one whose time is now (hence the + 1).
   * Undefined before the first frame's time.
   */
  duePos(nowMs: number): number | undefined {
    const elapsedMs = nowMs - this.anchorMs
    if (elapsedMs < 0) return undefined
    // Floored, not rounded as msToFrames does: a frame is due only once its time has come.
    // (+1e-9: a frame whose time is exactly now is due, whatever the float rounding of the division.)
    return this.anchorPos + Math.floor(elapsedMs / this.msPerFrame + 1e-9) + 1
  }

  /** The position just past the last frame due at `nowMs`, before the anchor too (then below it). */
  positionAt(nowMs: number): number {
    return this.anchorPos + Math.floor((nowMs - this.anchorMs) / this.msPerFrame + 1e-9) + 1
  }

  /** Plays everything `ms` sooner (the latency governor's trim). */
  pullEarlier(ms: number): void {
    this.anchorMs -= ms
  }

  /**
   * Lossy mode: media time + `offsetMs` (the depth controller's offset) is when a frame
   * plays. Moves under a quarter ms are ignored, so a steady path does not jitter the schedule.
   */
  follow(offsetMs: number): void {
    this.msPerFrame = 1000 / this.rateHz
    const wantAnchorMs = framesToMs(this.anchorPos, this.rateHz) + offsetMs
    if (Math.abs(wantAnchorMs - this.anchorMs) >= 0.25) this.anchorMs = wantAnchorMs
  }
}
