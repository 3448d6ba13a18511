// Local time <-> show position on a receiver: the offset is the fastest transit seen over
// the last two 2 s windows, so late packets do not move it and it follows slow drift; a
// position leaves the latency after its fastest arrival.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ShowClockMap } from '../../src/midi/show-clock.js'

test('nothing known before the first arrival', () => {
  const m = new ShowClockMap(48000)
  assert.is(m.known, false)
  assert.is(m.localTimeOf(0), undefined)
  assert.is(m.positionAt(0), undefined)
})

test('from one arrival: position 48000 (1 s) arriving at 1005 ms means a 5 ms transit, both ways', () => {
  const m = new ShowClockMap(48000)
  m.observe(48000, 1005)
  assert.is(m.known, true)
  assert.is(m.localTimeOf(96000), 2005)
  assert.is(m.positionAt(2005), 96000)
  assert.is(m.positionAt(0), 0, 'never before the show started')
})

test('with a latency: a position leaves that long after its fastest arrival, and positionAt is its inverse', () => {
  const m = new ShowClockMap(1000, 20)
  m.observe(100, 105)
  assert.is(m.localTimeOf(200), 225)
  assert.is(m.positionAt(225), 200)
  assert.is(m.positionAt(10), 0, 'never before the show started')
})

test('the fastest path wins: a late packet does not move the map, a faster one does', () => {
  const m = new ShowClockMap(1000) // 1 frame = 1 ms
  m.observe(100, 110) // 10 ms
  m.observe(200, 240) // 40 ms: late
  assert.is(m.localTimeOf(300), 310)
  m.observe(300, 303) // 3 ms: faster
  assert.is(m.localTimeOf(400), 403)
})

test('a fast sample is forgotten after two windows, so the map follows a path that got slower', () => {
  const m = new ShowClockMap(1000)
  m.observe(0, 2) // 2 ms at t=0 (window 1 starts)
  for (let t = 500; t < 4000; t += 500) m.observe(t - 8, t) // 8 ms from then on
  assert.is(m.localTimeOf(5000), 5002, 'the 2 ms sample is still within the last two windows')
  for (let t = 4000; t <= 6500; t += 500) m.observe(t - 8, t)
  assert.is(m.localTimeOf(7000), 7008, 'two windows later only the 8 ms path is left')
})

test('positions wrap at 32 bits and are unwrapped against the last one', () => {
  const m = new ShowClockMap(48000)
  m.observe(0xffffff00, 1000)
  const wrapped = 0x100 // 512 frames after 0xffffff00, past the wrap
  const local = m.localTimeOf(wrapped)!
  assert.ok(Math.abs(local - (1000 + (512 * 1000) / 48000)) < 1e-6, `${local}`)
  assert.is(m.positionAt(1000 + (512 * 1000) / 48000), 0x100, 'back to a 32-bit position')
})

test.run()
