// The Reopener on a manual clock: one attempt a second while the card is not back, none
// after stop(), and never two pending at once.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Reopener } from '../../../src/audio/device/reopener.js'
import { systemClock, unrefTimer } from '../../../src/clock.js'
import { ManualClock } from '../../helpers/manual-clock.js'

test('tries every second while the attempt throws, and stops once it opens', async () => {
  const clock = new ManualClock()
  const at: number[] = []
  const r = new Reopener(() => {
    at.push(clock.now())
    if (at.length < 3) throw new Error('not back yet')
  }, clock)
  r.schedule()
  await clock.advance(999)
  assert.equal(at, [], 'nothing before the first second')
  await clock.advance(5000)
  assert.equal(at, [1000, 2000, 3000])
  assert.is(clock.pendingTimers, 0, 'nothing left pending once the card opened')
})

test('an attempt that rejects (a device host asked off the event loop) is tried again a second later', async () => {
  const clock = new ManualClock()
  const at: number[] = []
  const r = new Reopener(async () => {
    at.push(clock.now())
    await Promise.resolve()
    if (at.length < 3) throw new Error('not back yet')
  }, clock)
  r.schedule()
  await clock.advance(1000)
  await Promise.resolve()
  await clock.advance(4000)
  assert.equal(at, [1000, 2000, 3000])
  assert.is(clock.pendingTimers, 0, 'nothing left pending once the card opened')
})

test('schedule() while an attempt is pending does not add another; stop() cancels it and for good', async () => {
  const clock = new ManualClock()
  let attempts = 0
  const r = new Reopener(() => void attempts++, clock, 500)
  r.schedule()
  r.schedule()
  assert.is(clock.pendingTimers, 1)
  await clock.advance(500)
  assert.is(attempts, 1)
  r.schedule()
  r.stop()
  assert.is(clock.pendingTimers, 0)
  r.schedule()
  await clock.advance(2000)
  assert.is(attempts, 1, 'a stopped reopener never tries again')
})

test('unrefTimer: a system timer stops holding the process; a manual clock handle is left alone', () => {
  const h = systemClock.setTimeout(() => {}, 60_000) as NodeJS.Timeout
  assert.ok(h.hasRef())
  unrefTimer(h)
  assert.not.ok(h.hasRef())
  systemClock.clearTimeout(h)
  unrefTimer(7)
  unrefTimer(undefined)
})

test.run()
