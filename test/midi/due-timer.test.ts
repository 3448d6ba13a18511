// The due timer: on an exact test clock, one timer for the due time; on a clock with
// setImmediate (the system's), a timer EARLY_MS before it and polls for the rest, never
// firing early; replacing and cancelling a schedule leave nothing behind.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DueTimer, EARLY_MS } from '../../src/midi/due-timer.js'
import { ManualClock } from '../helpers/manual-clock.js'

/** A manual clock with setImmediate: each poll takes `pollMs` of time, as a turn of a real loop does. */
class PollingClock extends ManualClock {
  polls = 0
  private pending: Array<() => void> = []
  constructor(private readonly pollMs: number) {
    super()
  }
  setImmediate(fn: () => void): void {
    this.pending.push(fn)
  }
  /** Runs polls (each advancing the clock by pollMs) until none is pending. */
  async runPolls(): Promise<void> {
    while (this.pending.length > 0) {
      const fns = this.pending
      this.pending = []
      await this.advance(this.pollMs)
      for (const fn of fns) {
        this.polls++
        fn()
      }
    }
  }
}

test('on an exact clock: one timer, fired at the due time, once', async () => {
  const clock = new ManualClock()
  const timer = new DueTimer(clock)
  const fired: number[] = []
  timer.at(10.5, () => fired.push(clock.now()))
  assert.is(clock.pendingTimers, 1)
  assert.ok(timer.pending)
  await clock.advance(10.4)
  assert.equal(fired, [])
  await clock.advance(50)
  assert.equal(fired, [10.5])
  assert.not.ok(timer.pending)
})

test('a due time already past fires at once, synchronously', () => {
  const clock = new ManualClock()
  const timer = new DueTimer(clock)
  let fired = 0
  timer.at(-1, () => fired++)
  timer.at(0, () => fired++)
  assert.is(fired, 2)
  assert.is(clock.pendingTimers, 0)
})

test(`with setImmediate: the timer wakes ${EARLY_MS} ms early, polls the rest and fires on the first poll at or past the due time`, async () => {
  const clock = new PollingClock(0.1)
  const timer = new DueTimer(clock)
  const fired: number[] = []
  timer.at(20.05, () => fired.push(clock.now()))
  await clock.advance(20.05 - EARLY_MS)
  assert.equal(fired, [], 'the timer only starts the polling')
  assert.is(clock.pendingTimers, 0)
  await clock.runPolls()
  assert.is(fired.length, 1)
  const late = fired[0]! - 20.05
  assert.ok(late >= 0 && late < 0.1 + 1e-9, `fired ${late} ms after its time: within one poll, never before`)
  assert.is(clock.polls, 20, '2 ms of 0.1 ms polls')
})

test('with setImmediate: a due time within EARLY_MS polls at once, without a timer', async () => {
  const clock = new PollingClock(0.25)
  const timer = new DueTimer(clock)
  const fired: number[] = []
  timer.at(1, () => fired.push(clock.now()))
  assert.is(clock.pendingTimers, 0)
  await clock.runPolls()
  assert.equal(fired, [1])
})

test('a new schedule replaces the old one, whether it waits on a timer or polls', async () => {
  const clock = new PollingClock(0.5)
  const timer = new DueTimer(clock)
  const fired: string[] = []
  timer.at(30, () => fired.push('old'))
  timer.at(40, () => fired.push('new'))
  assert.is(clock.pendingTimers, 1, 'the first timer was cleared')
  await clock.advance(39)
  // Polling now: replaced by a later time while a poll is in flight.
  timer.at(45, () => fired.push('newer'))
  await clock.runPolls()
  assert.equal(fired, [])
  assert.is(clock.pendingTimers, 1, 'the poll found 6 ms left and set a timer')
  await clock.advance(10)
  await clock.runPolls()
  assert.equal(fired, ['newer'])
})

test('cancel: nothing fires, no timer is left, and polling stops', async () => {
  const clock = new PollingClock(0.1)
  const timer = new DueTimer(clock)
  let fired = 0
  timer.at(50, () => fired++)
  timer.cancel()
  assert.is(clock.pendingTimers, 0)
  timer.at(1, () => fired++)
  timer.cancel()
  await clock.runPolls()
  await clock.advance(100)
  assert.is(fired, 0)
  assert.ok(clock.polls <= 1, 'the poll in flight ran once and stopped')
})

test.run()
