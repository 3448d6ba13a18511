// The skew bench's arithmetic: which impulses count, and what skew and latency they give.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pairImpulses } from '../../bench/skew-pairs.js'

test('pairs each impulse both outputs played after the settling time: skew, signed skew, latencies', () => {
  const sent = [0, 200, 400, 600]
  const a = new Map([
    [0, 20],
    [1, 221],
    [2, 420],
    [3, 623],
  ])
  const b = new Map([
    [0, 25],
    [1, 220],
    [2, 425.5],
    [3, 620],
  ])
  const p = pairImpulses(sent, a, b, 200)
  assert.equal(p.skewMs, [1, 5.5, 3])
  assert.equal(p.signedMs, [-1, 5.5, -3])
  assert.equal(p.latencyAMs, [21, 20, 23])
  assert.equal(p.latencyBMs, [20, 25.5, 20])
  assert.is(p.missed, 0)
})

test('an impulse one output never played is missed, not paired with another', () => {
  const sent = [0, 200, 400]
  const a = new Map([
    [0, 10],
    [2, 410],
  ])
  const b = new Map([
    [0, 12],
    [1, 212],
    [2, 413],
  ])
  const p = pairImpulses(sent, a, b, 0)
  assert.equal(p.skewMs, [2, 3])
  assert.is(p.missed, 1)
})

test('nothing after the settling time gives empty lists', () => {
  const p = pairImpulses([0, 200], new Map([[0, 1]]), new Map([[0, 2]]), 1000)
  assert.equal(p, { skewMs: [], signedMs: [], latencyAMs: [], latencyBMs: [], missed: 0 })
})

test.run()
