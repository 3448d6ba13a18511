// On a reliable transport whichever packet anchors the schedule sets the latency, so a
// late anchor would leave every later packet waiting longer than --latency, forever. The
// governor measures each packet's wait (arrival to its first frame's play time); once a
// window, if the shortest wait exceeded the target by more than the slack, it says how far
// to pull the schedule earlier: buffered frames play sooner, none are dropped.
// (On UDP the depth controller, src/jitter/depth.ts, sets the schedule instead.)

/** How often the shortest wait is looked at and the schedule trimmed. */
export const GOVERNOR_WINDOW_MS = 1000
/** An excess this small is left alone, so the schedule is not nudged for every fraction of a ms. */
export const GOVERNOR_SLACK_MS = 2

export class LatencyGovernor {
  /** Times the schedule was pulled back toward the target. */
  trims = 0
  private windowStartMs = 0
  private windowMinWaitMs = Infinity

  constructor(private readonly targetMs: number) {}

  /** The first window starts here (the schedule's first play time). */
  start(atMs: number): void {
    this.windowStartMs = atMs
  }

  /** A packet that will wait `waitMs` before its first frame plays. */
  observe(waitMs: number): void {
    if (waitMs < this.windowMinWaitMs) this.windowMinWaitMs = waitMs
  }

  /** At a window's end: how many ms to pull the schedule earlier (0 for none), and a new window. */
  check(nowMs: number): number {
    if (nowMs - this.windowStartMs < GOVERNOR_WINDOW_MS) return 0
    const excessMs = this.windowMinWaitMs - this.targetMs
    this.windowStartMs = nowMs
    this.windowMinWaitMs = Infinity
    if (Number.isFinite(excessMs) && excessMs > GOVERNOR_SLACK_MS) {
      this.trims++
      return excessMs
    }
    return 0
  }
}
