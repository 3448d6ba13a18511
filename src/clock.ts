// The clock the runners read and schedule on. Machines never read time themselves:
// `now` is passed to every step, so tests drive them with a ManualClock.

export interface Clock {
  /** Monotonic milliseconds. */
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /**
   * Runs `fn` on the event loop's next turn, after pending I/O (Node's setImmediate). What
   * must happen within a fraction of a millisecond polls with it for the last stretch a
   * timer cannot resolve (src/midi/due-timer.ts). Absent on a test clock, whose timers are exact.
   */
  setImmediate?(fn: () => void): void
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => void setImmediate(fn),
}

/**
 * Lets the process end while this timer is pending (a card being reopened must not keep a
 * finished show running). The system clock's handles are Node timers; a test clock's hold
 * no process, so there is nothing to do for them.
 */
export function unrefTimer(handle: unknown): void {
  if (typeof handle === 'object' && handle !== null) (handle as { unref?: () => void }).unref?.()
}
