// The capped queue in front of a slow peer: oldest audio goes first, control never.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SendQueue } from '../../transports/send-queue.js'

const bytes = (tag: number, size: number) => new Uint8Array(size).fill(tag)
const drain = (q: SendQueue) => {
  const out: number[] = []
  for (let f = q.shift(); f !== undefined; f = q.shift()) out.push(f[0]!)
  return out
}

test('frames come out in the order they went in, with the bytes counted', () => {
  const q = new SendQueue(1000)
  q.push(bytes(1, 10), 'media')
  q.push(bytes(2, 20), 'control')
  q.push(bytes(3, 30), 'media')
  assert.is(q.length, 3)
  assert.is(q.bytes, 60)
  assert.is(q.controlBytes, 20)
  assert.equal(drain(q), [1, 2, 3])
  assert.is(q.length, 0)
  assert.is(q.bytes, 0)
  assert.is(q.controlBytes, 0)
  assert.is(q.shift(), undefined)
})

test('past the cap the oldest media frames are dropped, control frames kept', () => {
  const q = new SendQueue(100)
  q.push(bytes(1, 40), 'media')
  q.push(bytes(2, 40), 'control')
  assert.not.ok(q.push(bytes(3, 10), 'media'), 'still under the cap: nothing dropped')
  assert.ok(q.push(bytes(4, 40), 'media'), '130 bytes: the oldest media (1) goes')
  assert.is(q.dropped, 1)
  assert.is(q.bytes, 90)
  assert.ok(q.push(bytes(5, 40), 'media'), '130 again: 3 goes, then 4 (control 2 stays)')
  assert.is(q.dropped, 3)
  assert.equal(drain(q), [2, 5])
})

test('the frame just added is never the one dropped, so the cap can be passed by that one frame', () => {
  const q = new SendQueue(100)
  q.push(bytes(1, 90), 'control')
  assert.not.ok(q.push(bytes(2, 50), 'media'), 'nothing older to drop')
  assert.is(q.bytes, 140)
  assert.equal(drain(q), [1, 2])
})

test('control frames alone can pass the cap: controlBytes says by how much', () => {
  const q = new SendQueue(100)
  q.push(bytes(1, 30), 'media')
  q.push(bytes(2, 60), 'control')
  q.push(bytes(3, 60), 'control')
  assert.is(q.dropped, 1)
  assert.is(q.controlBytes, 120)
  assert.ok(q.controlBytes > q.maxBytes)
  q.shift()
  assert.is(q.controlBytes, 60)
})

test('many shifts compact the storage without losing or reordering frames', () => {
  const q = new SendQueue(1 << 20)
  const out: number[] = []
  for (let i = 0; i < 1000; i++) {
    q.push(bytes(i & 0xff, 1), i % 3 === 0 ? 'control' : 'media')
    if (i % 2 === 1) out.push(q.shift()![0]!)
  }
  for (let f = q.shift(); f !== undefined; f = q.shift()) out.push(f[0]!)
  assert.equal(
    out,
    Array.from({ length: 1000 }, (_, i) => i & 0xff),
  )
  assert.is(q.bytes, 0)
  assert.is(q.controlBytes, 0)
})

test('clear empties it, keeping the count of what was dropped', () => {
  const q = new SendQueue(10)
  q.push(bytes(1, 8), 'media')
  q.push(bytes(2, 8), 'media')
  q.push(bytes(3, 8), 'control')
  assert.is(q.dropped, 2, 'both media frames made room')
  q.clear()
  assert.is(q.length, 0)
  assert.is(q.bytes, 0)
  assert.is(q.controlBytes, 0)
  assert.is(q.dropped, 2)
  assert.is(q.shift(), undefined)
})

test.run()
