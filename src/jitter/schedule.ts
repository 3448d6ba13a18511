// When each frame of the show plays, in the receiver's clock: frame P at
// anchorMs + (P - anchorPos) / rate, so the sink receives exactly one frame per frame of
// the show. Moving the anchor moves the whole schedule; nothing here reads a clock.

import { framesToMs } from '../codec/format.js'

export class PlayoutSchedule {
  /** Receiver time (ms) at which `anchorPos` plays. */
  anchorMs = 0
  /** A show position (unwrapped frames). */
  anchorPos = 0

  constructor(private readonly rateHz: number) {}

  /** Frame `pos` plays at `atMs`. */
  anchor(atMs: number, pos: number): void {
    this.anchorMs = atMs
    this.anchorPos = pos
  }

  /** When frame `pos` plays (ms). */
  playTimeMs(pos: number): number {
    return this.anchorMs + framesToMs(pos - this.anchorPos, this.rateHz)
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
    return this.anchorPos + Math.floor((elapsedMs * this.rateHz) / 1000) + 1
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
    const wantAnchorMs = framesToMs(this.anchorPos, this.rateHz) + offsetMs
    if (Math.abs(wantAnchorMs - this.anchorMs) >= 0.25) this.anchorMs = wantAnchorMs
  }
}
