import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Pacer } from '../../src/audio/pacer.js'
import { ManualClock } from '../helpers/manual-clock.js'
import type { Clock } from '../../src/clock.js'

test('packets go out at start + k * period, with no drift over a long run', async () => {
  const clock = new ManualClock()
  const sentAt: number[] = []
  const pacer = new Pacer(clock, 128_000 / 48_000, () => (sentAt.push(clock.now()), true))
  pacer.start()
  await clock.advance(60_000)
  pacer.stop()
  // 60 s of 2.667 ms packets: 22500 (+1 for the one due at t=0).
  assert.is(sentAt.length, 22501)
  assert.ok(Math.abs(sentAt[22500]! - 60_000) < 1)
})

test('late timers send every packet that came due, so the rate stays exact', async () => {
  const base = new ManualClock()
  // A clock whose timers always fire 7 ms late, like a busy event loop.
  const lateClock: Clock = {
    now: () => base.now(),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms + 7),
    clearTimeout: (h) => base.clearTimeout(h),
  }
  let sent = 0
  const pacer = new Pacer(lateClock, 5, () => (sent++, true))
  pacer.start()
  await base.advance(10_000)
  pacer.stop()
  assert.ok(sent >= 1999 && sent <= 2001, `sent ${sent}, expected ~2001`)
})

test('the pacer stops when the source says it is done', async () => {
  const clock = new ManualClock()
  let n = 0
  const pacer = new Pacer(clock, 1, () => ++n < 5)
  pacer.start()
  await clock.advance(100)
  assert.is(n, 5)
  assert.is(clock.pendingTimers, 0)
})

test.run()
