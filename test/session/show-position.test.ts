// The show position on the server's clock: undefined before INIT, then INIT's position plus
// the time since at the show's rate, rounded to a frame, wrapping at 32 bits.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ShowPosition } from '../../src/session/show-position.js'
import { ManualClock } from '../helpers/manual-clock.js'

test('undefined before INIT', () => {
  assert.is(new ShowPosition(new ManualClock(), 48000).now(), undefined)
})

test('from INIT on it runs at the show rate from where INIT put it', async () => {
  const clock = new ManualClock()
  await clock.advance(500)
  const p = new ShowPosition(clock, 48000)
  p.start(1280)
  assert.is(p.now(), 1280)
  await clock.advance(10)
  assert.is(p.now(), 1280 + 480)
  await clock.advance(0.01) // 0.48 frames: rounded to the nearest frame
  assert.is(p.now(), 1760)
  await clock.advance(0.02)
  assert.is(p.now(), 1761)
})

test('44.1 kHz, and the 32-bit wrap of a long show', async () => {
  const clock = new ManualClock()
  const p = new ShowPosition(clock, 44100)
  p.start(2 ** 32 - 441)
  await clock.advance(20)
  assert.is(p.now(), 441)
})

test.run()
