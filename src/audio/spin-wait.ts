// The last stretch before a due time, spun: Atomics.wait alone wakes 0.09-0.10 ms late at the
// median (the kernel's 50 us timer slack and the wakeup), so a media thread sleeps to just
// before the time and spins the rest. The clock is read only every CHECKS_PER_READ checks
// of `interrupted`: Node 20's performance.now() allocates (process.hrtime's array), and a
// thread reading it flat out scavenged every 0.1 s, 0.2-0.35 ms each, delaying the write due
// during it (docs/STALLS.md). Measured on this machine, 2 s of spinning: 589 scavenges read
// by read, 20 at 256 checks a read; a spin to a due time then ends 0.64 us late at the
// median (0.08 us read by read), p99 24 us either way (the scheduler's, not the loop's).
// Shared by the media threads (the playout's, a MIDI output's), with their clock.

import { NOTIFY, type RingReader } from './playout-ring.js'

/** The last stretch before a due time is spun, not slept: Atomics.wait alone wakes up to ~0.1 ms late. */
export const SPIN_MS = 0.25

/**
 * The main thread's clock (performance.now() there), read on a media thread: each thread's
 * performance.now() counts from its own origin, and the times handed over are the main thread's.
 */
export function mainThreadNow(mainTimeOrigin: number): () => number {
  const originShift = performance.timeOrigin - mainTimeOrigin
  return () => performance.now() + originShift
}

/**
 * Sleeps until `wakeAtMs` or until the main thread writes to `ring`, whichever is first; with
 * `spin`, the last SPIN_MS is spun (still returning at once on a write: a packet due now must
 * not be missed).
 */
export function waitForRing(ring: RingReader, now: () => number, wakeAtMs: number, spin: boolean): void {
  const seen = ring.notified
  const sleepMs = wakeAtMs - now() - SPIN_MS
  if (sleepMs > 0 && !ring.pending) Atomics.wait(ring.control, NOTIFY, seen, sleepMs)
  if (spin) spinUntil(now, wakeAtMs, () => ring.pending)
}

/** The longest stretch of checks between two clock reads: a 0.25 ms spin reads about 16 times. */
export const MAX_STRETCH_MS = 0.02

/** Atomics.load checks between two clock reads at the least: about 1.7 us of spinning on this machine. */
export const CHECKS_PER_READ = 256

/**
 * Returns at `atMs` on `now`'s clock, or as soon as `interrupted()`. Between two reads of the
 * clock it checks `interrupted` for about half of the time left, counted in checks at the
 * rate the last stretch ran, and never fewer than CHECKS_PER_READ: the last stretch ends
 * within about 1.7 us of the time, as before, but a 0.25 ms spin reads the clock about 8 times
 * rather than 150 (at most MAX_STRETCH_MS a stretch: about 16). Each read allocates (Node 20's performance.now()), and those reads were
 * most of what a playout thread allocated: it scavenged every 2.3-2.7 s (--trace-gc, a rig at
 * 128 frames), and a scavenge on a busy core waits for V8's helper threads, a scheduler tick,
 * at whatever priority the thread itself runs (docs/SYNC.md, "A busy core").
 */
export function spinUntil(now: () => number, atMs: number, interrupted: () => boolean): void {
  let checks = CHECKS_PER_READ
  let before = now()
  while (before < atMs) {
    for (let i = 0; i < checks; i++) if (interrupted()) return
    const at = now()
    const tookMs = at - before
    // Half of what is left at the rate the last stretch ran (the next read still comes before
    // the time), at most MAX_STRETCH_MS of it (a thread preempted in a stretch runs on that long past the time).
    const perMs = checks / tookMs
    checks = tookMs > 0 ? Math.max(CHECKS_PER_READ, Math.floor(perMs * Math.min((atMs - at) * 0.5, MAX_STRETCH_MS))) : CHECKS_PER_READ
    before = at
  }
}
