// The skew bench's impulse train and tap: every figure in docs/BENCHMARKS.md's skew table
// rests on the tap naming each impulse right and timing it to the frame.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  CONTINUATION_GAP_MS,
  IMPULSE_BASE,
  ImpulseTap,
  ImpulseTrain,
  MAX_IMPULSES,
  impulseIndex,
  impulseValue,
} from '../../bench/impulse-tap.js'

const FRAME_BYTES = 4 // stereo s16le
const MS_PER_FRAME = 1000 / 48_000

/** `frames` silent frames with impulse `index` on the left channel of frame `at`. */
function pcm(frames: number, impulses: Array<{ at: number; index: number }> = []): Buffer {
  const b = Buffer.alloc(frames * FRAME_BYTES)
  for (const { at, index } of impulses) b.writeInt16LE(impulseValue(index), at * FRAME_BYTES)
  return b
}

test('impulse values name their index, and nothing else names one', () => {
  assert.is(impulseValue(0), IMPULSE_BASE)
  assert.is(impulseIndex(impulseValue(0)), 0)
  assert.is(impulseIndex(impulseValue(MAX_IMPULSES - 1)), MAX_IMPULSES - 1)
  for (const v of [0, 1, -1, IMPULSE_BASE - 1, 0x7fff, -IMPULSE_BASE]) assert.is(impulseIndex(v), undefined, String(v))
  assert.throws(() => impulseValue(MAX_IMPULSES), RangeError)
  assert.throws(() => impulseValue(-1), RangeError)
  assert.throws(() => impulseValue(1.5), RangeError)
})

test('the train carries impulse k/n in packet k every n packets, at its first left sample, silence elsewhere', () => {
  const train = new ImpulseTrain(128, 75)
  assert.is(train.impulseAt(0), 0)
  assert.is(train.impulseAt(74), undefined)
  assert.is(train.impulseAt(150), 2)
  const p = train.packet(150)
  assert.is(p.length, 512)
  assert.is(p.readInt16LE(0), impulseValue(2))
  assert.ok(p.subarray(2).every((b) => b === 0))
  assert.is(train.packet(3), train.silence, 'silent packets are one shared buffer')
  assert.ok(train.silence.every((b) => b === 0))
})

test('an impulse is timed at its read’s arrival plus its frame offset in that read', () => {
  const tap = new ImpulseTap()
  tap.push(pcm(2400, [{ at: 480, index: 3 }]), 1000)
  assert.is(tap.seenMs.get(3), 1000 + 480 * MS_PER_FRAME)
  assert.is(tap.bytes, 2400 * FRAME_BYTES)
  // The offset counts from the start of each read, not of the stream.
  tap.push(pcm(100, [{ at: 0, index: 4 }]), 2000)
  assert.is(tap.seenMs.get(4), 2000)
})

test('reads split anywhere, even inside a sample, time the same impulses to within a frame', () => {
  const stream = pcm(300, [
    { at: 10, index: 0 },
    { at: 150, index: 1 },
    { at: 299, index: 2 },
  ])
  for (let cut = 1; cut < stream.length; cut++) {
    const tap = new ImpulseTap()
    tap.push(stream.subarray(0, cut), 0)
    tap.push(stream.subarray(cut), 100)
    assert.equal([...tap.seenMs.keys()], [0, 1, 2], `cut at ${cut}`)
    for (const [index, at] of [
      [0, 10],
      [1, 150],
      [2, 299],
    ] as const) {
      const first = cut > at * FRAME_BYTES + 1 // both bytes of the sample are in the first read
      const expected = first ? at * MS_PER_FRAME : 100 + (Math.floor((at * FRAME_BYTES - cut) / FRAME_BYTES) * 1000) / 48_000
      assert.ok(
        Math.abs(tap.seenMs.get(index)! - expected) < 1e-9,
        `impulse ${index}, cut at ${cut}: ${tap.seenMs.get(index)} ms, not ${expected}`,
      )
    }
  }
})

test('a read right behind another, while that write still plays, is the rest of the same write', () => {
  // A 2,400-frame (50 ms) write handed over as 1,024 frames, then the rest 0.02 ms later.
  const write = pcm(2400, [{ at: 1500, index: 1 }])
  const tap = new ImpulseTap()
  tap.push(write.subarray(0, 4096), 1000)
  tap.push(write.subarray(4096), 1000.02)
  assert.is(tap.continuations, 1)
  assert.ok(Math.abs(tap.seenMs.get(1)! - (1000 + 1500 * MS_PER_FRAME)) < 1e-9)
})

test('a read after a gap, or after the write before it has played out, starts a write of its own', () => {
  const tap = new ImpulseTap()
  tap.push(pcm(48), 1000) // 1 ms of audio
  tap.push(pcm(48, [{ at: 0, index: 1 }]), 1000 + CONTINUATION_GAP_MS + 0.01) // too late to continue it
  assert.is(tap.seenMs.get(1), 1000 + CONTINUATION_GAP_MS + 0.01)
  tap.push(pcm(4), 2000) // 4 frames: played out after 0.083 ms
  tap.push(pcm(4, [{ at: 2, index: 2 }]), 2000.1) // within the gap, but past that write's end
  assert.is(tap.seenMs.get(2), 2000.1 + 2 * MS_PER_FRAME)
  assert.is(tap.continuations, 0)
})

test('fixed-size writes are timed from the read that brought their first byte, however late the rest comes', () => {
  // Two 2,400-frame writes (a snapclient's 50 ms), each handed over as 8,192 + 1,408 bytes,
  // the rest of the first 3 ms late (the writer preempted between its two syscalls).
  const stream = Buffer.concat([pcm(2400, [{ at: 2300, index: 1 }]), pcm(2400, [{ at: 10, index: 2 }])])
  const tap = new ImpulseTap({ writeBytes: 9600 })
  tap.push(stream.subarray(0, 8192), 1000)
  tap.push(stream.subarray(8192, 9600 + 8192), 1003) // the first write's rest and most of the second
  tap.push(stream.subarray(9600 + 8192), 1050.01)
  assert.ok(Math.abs(tap.seenMs.get(1)! - (1000 + 2300 * MS_PER_FRAME)) < 1e-9)
  assert.ok(Math.abs(tap.seenMs.get(2)! - (1003 + 10 * MS_PER_FRAME)) < 1e-9)
  // An impulse whose sample straddles two reads, in a write that began two reads back.
  const tap2 = new ImpulseTap({ writeBytes: 9600 })
  const one = pcm(2400, [{ at: 2000, index: 3 }])
  tap2.push(one.subarray(0, 4096), 0)
  tap2.push(one.subarray(4096, 8001), 5)
  tap2.push(one.subarray(8001), 9)
  assert.ok(Math.abs(tap2.seenMs.get(3)! - 2000 * MS_PER_FRAME) < 1e-9)
})

test('only the first copy of an impulse counts, and the right channel and foreign values are ignored', () => {
  const tap = new ImpulseTap()
  const b = pcm(10, [
    { at: 2, index: 7 },
    { at: 5, index: 7 },
  ])
  b.writeInt16LE(impulseValue(8), 6 * FRAME_BYTES + 2) // right channel
  b.writeInt16LE(IMPULSE_BASE - 1, 7 * FRAME_BYTES) // a concealed, quieter copy
  b.writeInt16LE(-impulseValue(9), 8 * FRAME_BYTES) // negative
  tap.push(b, 50)
  assert.equal([...tap.seenMs], [[7, 50 + 2 * MS_PER_FRAME]])
  tap.push(pcm(4, [{ at: 1, index: 7 }]), 90)
  assert.is(tap.seenMs.get(7), 50 + 2 * MS_PER_FRAME)
})

test('a mono tap at another rate reads its own frame size', () => {
  const tap = new ImpulseTap({ channels: 1, rateHz: 1000 })
  const b = Buffer.alloc(20)
  b.writeInt16LE(impulseValue(1), 6) // frame 3
  tap.push(b, 10)
  assert.is(tap.seenMs.get(1), 13)
})

test.run()
