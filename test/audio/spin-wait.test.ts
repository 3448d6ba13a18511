// The spin before a due time: never returns early on its clock, and stops at once when
// interrupted (a packet written to the ring while the playout thread spins).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRing, RingReader, RingWriter } from '../../src/audio/playout-ring.js'
import { CHECKS_PER_READ, mainThreadNow, spinUntil, waitForRing } from '../../src/audio/spin-wait.js'

test('returns at the due time, not before, reading the clock once per CHECKS_PER_READ checks', () => {
  let t = 0
  let reads = 0
  let checks = 0
  const now = () => {
    reads++
    return t++
  }
  spinUntil(now, 5, () => (checks++, false))
  assert.is(t, 6, 'the clock read until it said 5')
  assert.is(reads, 6)
  assert.is(checks, 5 * CHECKS_PER_READ)
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
