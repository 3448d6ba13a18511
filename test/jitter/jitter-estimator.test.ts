import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { JitterEstimator } from '../../src/jitter/jitter-estimator.js'

test('a perfectly steady stream has no jitter, whatever its constant delay', () => {
  const j = new JitterEstimator()
  for (let i = 0; i < 100; i++) j.update(1000 + 37 + i * 2.667, i * 2.667)
  assert.ok(j.jitterMs < 1e-9)
})

test('transit alternating by 4 ms converges to 4 ms, at the gain of 1/16', () => {
  const j = new JitterEstimator()
  j.update(0, 0)
  const first = j.update(10 + 4, 10) // |D| = 4: J = 4/16
  assert.is(first, 0.25)
  for (let i = 2; i < 300; i++) j.update(i * 10 + (i % 2 ? 4 : 0), i * 10)
  assert.ok(Math.abs(j.jitterMs - 4) < 0.01, `${j.jitterMs}`)
})

test('a single late packet raises the estimate, and it decays as the path calms', () => {
  const j = new JitterEstimator()
  for (let i = 0; i < 50; i++) j.update(i * 10, i * 10)
  j.update(50 * 10 + 32, 50 * 10) // 32 ms late
  const peak = j.jitterMs
  assert.is(peak, 2)
  j.update(51 * 10, 51 * 10) // back on time: |D| = 32 again
  for (let i = 52; i < 150; i++) j.update(i * 10, i * 10)
  assert.ok(j.jitterMs < 0.1, `decayed to ${j.jitterMs}`)
})

test.run()
