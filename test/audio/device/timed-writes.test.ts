// The device host's timed writes on a manual clock: each chunk at its time, in order, one
// without a time behind those before it, and a drain that waits for the last.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TimedWrites } from '../../../src/audio/device/timed-writes.js'
import { ManualClock } from '../../helpers/manual-clock.js'

function setup() {
  const clock = new ManualClock()
  const written: Array<[number, number]> = []
  const w = new TimedWrites(clock, (pcm) => written.push([clock.now(), pcm[0]!]))
  return { clock, written, w }
}

test('each chunk goes to the card at its time, not before, and in order', async () => {
  const { clock, written, w } = setup()
  w.push(new Uint8Array([1]), 10)
  w.push(new Uint8Array([2]), 12.5)
  w.push(new Uint8Array([3]), 30)
  assert.equal(written, [])
  await clock.advance(10)
  assert.equal(written, [[10, 1]])
  await clock.advance(25)
  assert.equal(written, [
    [10, 1],
    [12.5, 2],
    [30, 3],
  ])
  assert.is(w.waiting, 0)
})

test('a chunk whose time has passed goes at once; one without a time waits its turn behind a timed one', async () => {
  const { clock, written, w } = setup()
  await clock.advance(100)
  w.push(new Uint8Array([1]), 50)
  assert.equal(written, [[100, 1]], 'late: at once')
  w.push(new Uint8Array([2]), 120)
  w.push(new Uint8Array([3]))
  assert.equal(written.length, 1, 'the untimed one keeps its place')
  await clock.advance(20)
  assert.equal(written, [
    [100, 1],
    [120, 2],
    [120, 3],
  ])
})

test('a stall of the sender does not reach the card: what it sent ahead goes on at its times while it sends nothing', async () => {
  const { clock, written, w } = setup()
  // 45 ms of 2.67 ms chunks handed over at once, as a rig does before its event loop stalls for 30 ms.
  for (let i = 0; i < 17; i++) w.push(new Uint8Array([i]), 5 + i * 2.67)
  await clock.advance(35)
  assert.is(written.length, 12, 'the card was fed through the stall')
  for (const [at, i] of written) assert.ok(Math.abs(at - (5 + i * 2.67)) < 1e-9, `chunk ${i} at ${at}`)
})

test('whenWritten waits for the last chunk pushed before it (a quit drains the queue first)', async () => {
  const { clock, written, w } = setup()
  let drained = -1
  w.whenWritten(() => (drained = clock.now()))
  assert.is(drained, 0, 'nothing waiting: at once')
  w.push(new Uint8Array([1]), 40)
  w.push(new Uint8Array([2]))
  drained = -1
  w.whenWritten(() => (drained = clock.now()))
  await clock.advance(39)
  assert.is(drained, -1)
  await clock.advance(1)
  assert.equal([drained, written.length], [40, 2])
})

test.run()
