// The playout schedule: frame P plays at anchorMs + (P - anchorPos) / rate.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PlayoutSchedule } from '../../src/jitter/schedule.js'

test('play times and due positions follow the anchor at the sample rate', () => {
  const s = new PlayoutSchedule(1000)
  s.anchor(30, 100)
  assert.is(s.playTimeMs(100), 30)
  assert.is(s.playTimeMs(150), 80)
  assert.is(s.duePos(29.9), undefined, 'nothing is due before the first frame')
  assert.is(s.duePos(30), 101, 'the anchored frame itself is due at its time')
  assert.is(s.duePos(50), 121)
})

test('at 48 kHz a millisecond is 48 frames', () => {
  const s = new PlayoutSchedule(48000)
  s.anchor(0, 0)
  assert.is(s.duePos(1), 49)
  assert.is(s.playTimeMs(48000), 1000)
})

test('pullEarlier moves every frame sooner', () => {
  const s = new PlayoutSchedule(1000)
  s.anchor(100, 0)
  s.pullEarlier(20)
  assert.is(s.playTimeMs(0), 80)
  s.pullEarlier(0)
  assert.is(s.anchorMs, 80)
})

test('follow puts play time at media time + offset, ignoring moves under a quarter ms', () => {
  const s = new PlayoutSchedule(1000)
  s.anchor(0, 500)
  s.follow(40)
  assert.is(s.anchorMs, 540, 'media time of 500 frames is 500 ms, plus 40')
  s.follow(40.2)
  assert.is(s.anchorMs, 540, 'a 0.2 ms move is noise')
  s.follow(40.25)
  assert.is(s.anchorMs, 540.25)
  assert.is(s.anchorPos, 500, 'the anchored position does not move')
})

test.run()
