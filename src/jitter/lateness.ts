// How late audio arrives against its play time, per window: the share of packets that came
// after their time and the worst of them. A path slower than the latency shows as a steady
// share; one stall is one window's worth.

/** Lateness is judged over windows of this long. */
export const LATENESS_WINDOW_MS = 1000

export interface Lateness {
  /** Of the packets in the last full window, the share that came after their play time. */
  share: number
  /** The latest of them, ms after its play time (0: all in time). */
  worstMs: number
}

export class LatenessWindow {
  private windowStartMs: number | undefined
  private packets = 0
  private late = 0
  private worstMs = 0
  private last: Lateness = { share: 0, worstMs: 0 }

  /** A packet arrived `lateMs` after its play time (<= 0: in time), at `nowMs`. */
  arrived(nowMs: number, lateMs: number): void {
    this.rotate(nowMs)
    this.packets++
    if (lateMs > 0) {
      this.late++
      if (lateMs > this.worstMs) this.worstMs = lateMs
    }
  }

  /** The last full window's figures. */
  read(nowMs: number): Lateness {
    this.rotate(nowMs)
    return this.last
  }

  private rotate(nowMs: number): void {
    if (this.windowStartMs === undefined) {
      this.windowStartMs = nowMs
      return
    }
    const sinceMs = nowMs - this.windowStartMs
    if (sinceMs < LATENESS_WINDOW_MS) return
    // A window with no packets says nothing new about the path; a second silent one clears it.
    if (this.packets > 0) this.last = { share: this.late / this.packets, worstMs: this.worstMs }
    else if (sinceMs >= 2 * LATENESS_WINDOW_MS) this.last = { share: 0, worstMs: 0 }
    this.windowStartMs = nowMs
    this.packets = 0
    this.late = 0
    this.worstMs = 0
  }
}
