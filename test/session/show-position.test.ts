// The show position on the server's clock: undefined before INIT, then INIT's position plus
// the time since at the show's rate, rounded to a frame, wrapping at 32 bits; with a
// timeline, the position the timeline puts at the server's time now.
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

test("given the server time of each position, the position now is the timeline's, drift and wrap included", async () => {
  const clock = new ManualClock()
  await clock.advance(100)
  let timeline: { position: number; serverMs: number; driftPpm: number } | undefined
  // As the rig's ShowTime reads a timeline: a signed 32-bit distance from its anchor.
  const serverTimeOf = (position: number) =>
    timeline && timeline.serverMs + ((((position - timeline.position) | 0) * 1000) / 48000) * (1 + timeline.driftPpm / 1e6)
  const p = new ShowPosition(clock, 48000, serverTimeOf)
  p.start(2 ** 32 - 4800)
  await clock.advance(10)
  assert.is(p.now(), 2 ** 32 - 4320, 'no timeline yet: counted from INIT')
  // The source captured position 0 at server time 150 (INIT's count would say 200), its clock 100 ppm slow.
  timeline = { position: 0, serverMs: 150, driftPpm: 100 }
  assert.is(p.now(), Math.round((48000 * (-40 / 1000)) / 1.0001) >>> 0)
  await clock.advance(1040)
  assert.is(p.now(), Math.round((48000 * 1000) / 1000 / 1.0001), 'a second after position 0: 4.8 frames short of 48000')
})

test("a message is stamped as of when it came in: the server's typical read lag earlier", async () => {
  const clock = new ManualClock()
  await clock.advance(100)
  const timeline = { position: 0, serverMs: 100, driftPpm: 0 }
  const serverTimeOf = (position: number) => timeline.serverMs + (((position - timeline.position) | 0) * 1000) / 48000
  let lagMs = 0
  const p = new ShowPosition(clock, 48000, serverTimeOf, () => lagMs)
  p.start(0)
  await clock.advance(10)
  assert.is(p.now(), 480, 'no lag: the position now')
  lagMs = 0.5
  assert.is(p.now(), 456, 'read 0.5 ms late: 24 frames earlier')
})

test.run()
