// RFC 3550 A.1 loss: expected (first to highest sequence number, extended) minus received.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LossCounter } from '../../src/jitter/loss-counter.js'

function counted(seqs: number[]): LossCounter {
  const c = new LossCounter()
  for (const s of seqs) c.count(s)
  return c
}

test('nothing received: nothing expected, nothing lost', () => {
  const c = new LossCounter()
  assert.equal([c.expected, c.lost], [0, 0])
})

test('in order: none lost; a gap is lost', () => {
  assert.equal([counted([5, 6, 7, 8]).expected, counted([5, 6, 7, 8]).lost], [4, 0])
  const c = counted([5, 6, 9, 10])
  assert.equal([c.expected, c.lost], [6, 2])
})

test('reordering is not loss: a packet that comes after a later one fills its place', () => {
  const c = counted([1, 3, 2, 4])
  assert.equal([c.expected, c.lost], [4, 0])
  const early = counted([1, 3])
  assert.is(early.lost, 1, 'until the late one comes it counts as lost')
  early.count(2)
  assert.is(early.lost, 0)
})

test('duplicates are counted once, so they cannot hide a loss', () => {
  const c = counted([1, 2, 2, 2, 4])
  assert.equal([c.expected, c.lost], [4, 1])
})

test('the 16-bit wrap: 65534 -> 1 is four packets, none lost', () => {
  const c = counted([65534, 65535, 0, 1])
  assert.equal([c.expected, c.lost], [4, 0])
  const lossy = counted([65534, 0, 1])
  assert.equal([lossy.expected, lossy.lost], [4, 1])
})

test('an old packet from before the first one neither adds to expected nor goes negative', () => {
  const c = counted([10, 11, 9])
  assert.equal([c.expected, c.lost], [2, 0])
})

test('many wraps: the extended highest keeps counting', () => {
  const c = new LossCounter()
  for (let i = 0; i < 200_000; i++) if (i % 1000 !== 0) c.count(i & 0xffff)
  assert.equal([c.expected, c.lost], [199_999, 199])
})

test.run()
