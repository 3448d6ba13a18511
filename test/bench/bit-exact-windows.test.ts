// The faithful-path measure: what a delay, a drop, an insert and a changed sample do to it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bitExactWindows } from '../../bench/bit-exact-windows.js'

const FRAME = 4 // s16 stereo
function noise(frames: number, seed = 7): Buffer {
  const b = Buffer.alloc(frames * FRAME)
  let x = seed
  for (let i = 0; i < b.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}

test('a path that only delays scores every window, with its delay and no shift', () => {
  const sent = noise(64 * 50)
  const received = Buffer.concat([Buffer.alloc(100 * FRAME), sent, Buffer.alloc(10 * FRAME)])
  assert.equal(bitExactWindows(sent, received, FRAME), { windows: 50, exact: 50, share: 1, delayFrames: 100, shifts: 0 })
})

test('a dropped frame costs the window it was in and shifts the delay once', () => {
  const sent = noise(64 * 50)
  const dropAt = 64 * 20 + 5
  const received = Buffer.concat([sent.subarray(0, dropAt * FRAME), sent.subarray((dropAt + 1) * FRAME)])
  const r = bitExactWindows(sent, received, FRAME)
  assert.is(r.exact, 49)
  assert.is(r.shifts, 1)
  assert.is(r.delayFrames, 0)
})

test('an inserted frame and a changed sample each cost their window', () => {
  const sent = noise(64 * 50)
  const received = Buffer.concat([sent.subarray(0, 64 * 10 * FRAME + 8), Buffer.alloc(FRAME), sent.subarray(64 * 10 * FRAME + 8)])
  received[64 * 30 * FRAME + 3 * FRAME + 100]! ^= 1 // one LSB, as dither would
  const r = bitExactWindows(sent, received, FRAME)
  assert.is(r.exact, 48)
  assert.is(r.shifts, 1)
})

test('windows played out of order count only once they are in order again; nothing received scores 0', () => {
  const sent = noise(64 * 10)
  const w = (i: number) => sent.subarray(i * 64 * FRAME, (i + 1) * 64 * FRAME)
  const received = Buffer.concat([w(0), w(1), w(5), w(2), w(3), w(6), w(7)])
  // 0, 1, 2, 3, 6, 7 are in order; 5 came before 2 and 3 (out of order), 4, 8 and 9 never came.
  const r = bitExactWindows(sent, received, FRAME)
  assert.is(r.exact, 6)
  assert.equal(bitExactWindows(sent, Buffer.alloc(0), FRAME).share, 0)
})

test.run()
