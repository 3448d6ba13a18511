// The last stretch before a due time, spun: Atomics.wait alone wakes 0.09-0.10 ms late at the
// median (the kernel's 50 us timer slack and the wakeup), so a media thread sleeps to just
// before the time and spins the rest. The clock is read only every CHECKS_PER_READ checks
// of `interrupted`: Node 20's performance.now() allocates (process.hrtime's array), and a
// thread reading it flat out scavenged every 0.1 s, 0.2-0.35 ms each, delaying the write due
// during it (docs/STALLS.md). Measured on this machine, 2 s of spinning: 589 scavenges read
// by read, 20 at 256 checks a read; a spin to a due time then ends 0.64 us late at the
// median (0.08 us read by read), p99 24 us either way (the scheduler's, not the loop's).

/** Atomics.load checks between two clock reads: about 1.7 us of spinning on this machine. */
export const CHECKS_PER_READ = 256

/** Returns at `atMs` on `now`'s clock, or as soon as `interrupted()` (checked far more often than the clock is read). */
export function spinUntil(now: () => number, atMs: number, interrupted: () => boolean): void {
  while (now() < atMs) {
    for (let i = 0; i < CHECKS_PER_READ; i++) if (interrupted()) return
  }
}
