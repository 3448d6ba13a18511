// The latency governor: once a window, the shortest wait's excess over the target, if above the slack.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { GOVERNOR_SLACK_MS, GOVERNOR_WINDOW_MS, LatencyGovernor } from '../../src/jitter/latency-governor.js'

test('within a window nothing is trimmed, at its end the shortest wait decides', () => {
  const g = new LatencyGovernor(10)
  g.start(100)
  for (const w of [40, 30, 35]) g.observe(w)
  assert.is(g.check(100 + GOVERNOR_WINDOW_MS - 1), 0, 'the window is not over')
  assert.is(g.check(100 + GOVERNOR_WINDOW_MS), 20, 'shortest wait 30 ms against a 10 ms target')
  assert.is(g.trims, 1)
})

test('an excess within the slack is left alone', () => {
  const g = new LatencyGovernor(10)
  g.start(0)
  g.observe(10 + GOVERNOR_SLACK_MS)
  assert.is(g.check(GOVERNOR_WINDOW_MS), 0)
  assert.is(g.trims, 0)
})

test('a window with no packets says nothing', () => {
  const g = new LatencyGovernor(0)
  g.start(0)
  assert.is(g.check(5000), 0)
})

test('each window starts afresh where the last was checked', () => {
  const g = new LatencyGovernor(0)
  g.start(0)
  g.observe(50)
  assert.is(g.check(1000), 50)
  g.observe(8)
  assert.is(g.check(1999), 0, 'the second window runs from 1000')
  assert.is(g.check(2000), 8)
  assert.is(g.check(3000), 0, 'nothing observed since')
  assert.is(g.trims, 2)
})

test.run()
