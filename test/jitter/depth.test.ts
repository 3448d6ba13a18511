// The UDP jitter buffer's depth: rises at once to a late packet's need, falls per window
// to what the last window needed, between the floor and the ceiling; loss says nothing.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEPTH_MARGIN_MS, DEPTH_WINDOW_MS, DepthController, STARTUP_EXTRA_MS } from '../../src/jitter/depth.js'

/** Feeds packets every 10 ms of media time from `fromMs` to `toMs`, each arriving `delay(t)` ms after it. */
function feed(d: DepthController, fromMs: number, toMs: number, delay: (t: number) => number | null = () => 0): void {
  for (let t = fromMs; t < toMs; t += 10) {
    const late = delay(t)
    if (late !== null) d.arrived(t + late, t)
  }
}

test('a new buffer starts at the floor plus the start-up extra, within the ceiling', () => {
  assert.is(new DepthController(10, 200).depthMs, 10 + STARTUP_EXTRA_MS)
  assert.is(new DepthController(10, 200, 0).depthMs, 10)
  assert.is(new DepthController(10, 30).depthMs, 30, 'capped at the ceiling')
})

test('the first packet sets the base transit; the offset is base plus depth', () => {
  const d = new DepthController(20, 200, 0)
  d.arrived(1005, 1000)
  assert.is(d.offsetMs, 5 + 20)
})

test('a late packet raises the depth at once to its excess plus the margin', () => {
  const d = new DepthController(20, 200, 0)
  feed(d, 0, 100)
  d.arrived(100 + 45, 100)
  assert.is(d.depthMs, 45 + DEPTH_MARGIN_MS)
  assert.is(d.raises, 1)
})

test('the depth never passes the ceiling', () => {
  const d = new DepthController(20, 60, 0)
  d.arrived(0, 0)
  d.arrived(10 + 500, 10)
  assert.is(d.depthMs, 60)
})

test('loss cannot push the depth up', () => {
  const d = new DepthController(20, 200, 0)
  feed(d, 0, 10_000, (t) => (t % 30 === 0 ? null : 0))
  assert.is(d.depthMs, 20)
  assert.is(d.raises, 0)
})

test('once the path calms, the depth comes back to the floor within two windows', () => {
  const d = new DepthController(5, 200, 0)
  feed(d, 0, 1000, (t) => (t === 500 ? 30 : 0))
  assert.ok(d.depthMs >= 30)
  feed(d, 1000, 1000 + 3 * DEPTH_WINDOW_MS)
  assert.is(d.depthMs, 5)
  assert.ok(d.lowers >= 1)
})

test('a faster path found later becomes the base, keeping play-out where it was', () => {
  const d = new DepthController(10, 200, 0)
  feed(d, 0, DEPTH_WINDOW_MS + 10, () => 8) // transit 8 ms throughout the first window
  const before = d.offsetMs
  feed(d, DEPTH_WINDOW_MS + 10, 2 * DEPTH_WINDOW_MS + 20, () => 2) // now 2 ms
  assert.ok(d.offsetMs <= before, `offset ${d.offsetMs} ms, was ${before}`)
  assert.is(d.jitterMs >= 0, true)
})

test.run()
