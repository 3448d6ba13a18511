// The spin before a due time: never returns early on its clock, and stops at once when
// interrupted (a packet written to the ring while the playout thread spins).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRing, RingReader, RingWriter } from '../../src/audio/playout-ring.js'
import { CHECKS_PER_READ, MAX_STRETCH_MS, mainThreadNow, spinUntil, waitForRing } from '../../src/audio/spin-wait.js'

/** A clock that runs with the checks: 150 checks a microsecond (about this machine's rate), `jumpAt` checks in it jumps `jumpMs` (the thread preempted). */
function checkClock(o: { jumpAt?: number; jumpMs?: number } = {}) {
  const c = { checks: 0, reads: 0, now: () => 0, check: () => false }
  c.now = () => {
    c.reads++
    return c.checks / 150_000 + (o.jumpAt !== undefined && c.checks >= o.jumpAt ? (o.jumpMs ?? 0) : 0)
  }
  c.check = () => (c.checks++, false)
  return c
}

test('returns at the due time, not before and within CHECKS_PER_READ checks of it, reading the clock a few times', () => {
  const c = checkClock()
  spinUntil(c.now, 0.25, c.check)
  const endMs = c.checks / 150_000
  assert.ok(endMs >= 0.25, `returned at ${endMs} ms, due at 0.25`)
  assert.ok(endMs - 0.25 <= CHECKS_PER_READ / 150_000, `${((endMs - 0.25) * 1000).toFixed(2)} us late`)
  // A read per 256 checks would be 146 reads.
  assert.ok(c.reads <= 20, `${c.reads} clock reads`)
})

test('a clock that jumps past the time (the thread was preempted) ends the spin within MAX_STRETCH_MS of checks', () => {
  const c = checkClock({ jumpAt: 1000, jumpMs: 5 })
  spinUntil(c.now, 0.25, c.check)
  assert.ok(c.checks <= 1000 + MAX_STRETCH_MS * 150_000 + CHECKS_PER_READ, `${c.checks} checks`)
})

test('an interruption ends the spin without waiting for the clock', () => {
  let checks = 0
  const started = performance.now()
  spinUntil(
    () => performance.now(),
    started + 10_000,
    () => ++checks === 3,
  )
  assert.is(checks, 3)
  assert.ok(performance.now() - started < 1000)
})

test('a due time already past returns at once', () => {
  let checks = 0
  spinUntil(
    () => 10,
    5,
    () => (checks++, false),
  )
  assert.is(checks, 0)
})

test('waitForRing: not before its time with nothing written (spun), at once when something is already written', () => {
  const b = createRing(1024)
  const reader = new RingReader(b)
  const now = () => performance.now()
  const t0 = now()
  waitForRing(reader, now, t0 + 5, true)
  assert.ok(now() >= t0 + 5, `woke ${(now() - t0).toFixed(3)} ms in, due at 5`)
  new RingWriter(b).write({ kind: 'flush' })
  const t1 = now()
  waitForRing(reader, now, t1 + 10_000, true)
  assert.ok(now() - t1 < 1000, 'a pending record ends the wait')
})

test("mainThreadNow reads this thread's clock shifted to the given origin", () => {
  const read = mainThreadNow(performance.timeOrigin - 250)
  const d = read() - performance.now()
  assert.ok(Math.abs(d - 250) < 1, `shifted by ${d}`)
})

test.run()
