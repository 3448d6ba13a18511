// The playout in lossy (UDP) mode is the jitter buffer: fed packets on a manual clock,
// it must reorder, drop duplicates, conceal loss on time, tell late from lost, survive
// the sequence wrap, and adapt its depth to jitter without growing under pure loss.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Playout } from '../../src/audio/playout.js'
import { JitterBuffer } from '../../src/jitter/jitter-buffer.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'
import { seededRandom } from '../helpers/impairment-relay.js'

import { FORMAT, packet, samples } from '../helpers/counting-packets.js'

function setup(latencyMs = 20, maxLatencyMs = 200, startupExtraMs = 0) {
  const clock = new ManualClock()
  const sink = new MemorySink(() => clock.now())
  const p = new Playout({ format: FORMAT, latencyMs, maxLatencyMs, sink, clock, lossy: true, startupExtraMs })
  return { clock, sink, p }
}

/** Sends packets k = from..to-1 at their media time plus `delay(k)` ms, in arrival order. */
async function stream(
  clock: ManualClock,
  p: Playout,
  from: number,
  to: number,
  delay: (k: number) => number | null,
  seqBase = 0,
  tsBase = 0,
) {
  const arrivals: Array<{ at: number; k: number }> = []
  for (let k = from; k < to; k++) {
    const d = delay(k)
    if (d !== null) arrivals.push({ at: k * 10 + d, k })
  }
  arrivals.sort((a, b) => a.at - b.at || a.k - b.k)
  for (const { at, k } of arrivals) {
    if (at > clock.now()) await clock.advance(at - clock.now())
    p.push((seqBase + k) & 0xffff, (tsBase + k * 10) >>> 0, packet(k * 10))
  }
}

/** Ends the stream as TERMINATE does: play out what is buffered, then stop (no trailing concealment). */
async function drain(clock: ManualClock, p: Playout) {
  const done = p.drain()
  await clock.advance(500)
  await done
}

test('reordered packets play in order', async () => {
  const { clock, sink, p } = setup(20)
  // Packet 3 arrives after 4 and 5, still before its time.
  await stream(clock, p, 0, 10, (k) => (k === 3 ? 15 : 0))
  await drain(clock, p)
  assert.equal(
    samples(sink.bytes).slice(0, 100),
    Array.from({ length: 100 }, (_, i) => i + 1),
  )
  assert.equal([p.stats.packetsLost, p.stats.packetsLate, p.stats.framesConcealed], [0, 0, 0])
})

test('duplicates are dropped and counted, whether still queued or already played', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 5, () => 0)
  p.push(1, 10, packet(10)) // queued copy
  await clock.advance(60)
  p.push(0, 0, packet(0)) // played long ago
  await clock.advance(100)
  assert.is(p.stats.packetsDuplicate, 2)
  assert.equal([p.stats.packetsLate, p.stats.packetsLost, p.stats.packetsReceived], [0, 0, 5])
  assert.equal(
    samples(sink.bytes).slice(0, 50),
    Array.from({ length: 50 }, (_, i) => i + 1),
  )
})

test('a lost packet is concealed on time, not waited for, and counted as lost', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 10, (k) => (k === 4 ? null : 0))
  await drain(clock, p)
  const out = samples(sink.bytes)
  assert.is(out.length, 100, 'one frame out per frame of the show')
  assert.equal(
    out.slice(0, 40),
    Array.from({ length: 40 }, (_, i) => i + 1),
    'before the loss: exact',
  )
  assert.equal(
    out.slice(50, 100),
    Array.from({ length: 50 }, (_, i) => i + 51),
    'after the loss: exact and in place',
  )
  assert.ok(
    out.slice(40, 50).some((v) => v !== 0),
    'the gap is concealed with audio, not silence',
  )
  assert.equal([p.stats.packetsLost, p.stats.packetsLate, p.stats.framesConcealed, p.stats.underruns], [1, 0, 10, 0])
})

test('a packet after its play time is late: dropped, counted, and it deepens the buffer', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 6, (k) => (k === 3 ? 45 : 0))
  await drain(clock, p)
  assert.is(p.stats.packetsLate, 1)
  assert.is(p.stats.packetsLost, 0, 'late is not lost')
  assert.ok(p.stats.depthMs >= 45, `depth ${p.stats.depthMs} ms after a 45 ms late packet`)
  const out = samples(sink.bytes)
  assert.is(out.length, 60, 'still one frame per frame: the late packet was concealed in place')
  assert.equal(
    out.slice(40),
    Array.from({ length: 20 }, (_, i) => 41 + i),
  )
})

test('pure loss never deepens the buffer', async () => {
  const { clock, p } = setup(20)
  const random = seededRandom(3)
  await stream(clock, p, 0, 1000, () => (random() < 0.2 ? null : 0))
  await clock.advance(100)
  assert.ok(p.stats.packetsLost > 150, `lost ${p.stats.packetsLost}`)
  assert.is(p.stats.packetsLate, 0)
  assert.ok(p.stats.depthMs <= 20 + 1e-9, `depth ${p.stats.depthMs} ms`)
})

test('depth rises under jitter, and comes back down when the path calms', async () => {
  const { clock, p } = setup(5, 200)
  const random = seededRandom(7)
  // 10 s with up to 30 ms of jitter.
  await stream(clock, p, 0, 1000, () => Math.floor(random() * 30))
  const jittery = p.stats.depthMs
  assert.ok(jittery >= 25 && jittery <= 40, `depth ${jittery} ms under 30 ms of jitter`)
  const lateWhileJittery = p.stats.packetsLate
  // 10 s of a steady path.
  await stream(clock, p, 1000, 2000, () => 0)
  assert.ok(p.stats.depthMs < 8, `depth ${p.stats.depthMs} ms once calm`)
  assert.ok(lateWhileJittery <= 3, `${lateWhileJittery} late packets while adapting`)
  assert.is(p.stats.packetsLost, 0)
})

test('a new buffer starts deeper, for start-up stalls, and settles to the floor once the path proves calm', async () => {
  const { clock, p } = setup(10, 200, 40)
  await stream(clock, p, 0, 20, () => 0)
  assert.is(p.stats.depthMs, 50)
  await stream(clock, p, 20, 500, () => 0)
  assert.ok(p.stats.depthMs < 12, `depth ${p.stats.depthMs} ms`)
})

test('the sequence number and timestamp wrap without loss or a gap', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 20, () => 0, 65530, 0xffff_ffff - 55)
  await drain(clock, p)
  assert.equal([p.stats.packetsLost, p.stats.framesConcealed, p.stats.framesPlayed], [0, 0, 200])
  assert.equal(
    samples(sink.bytes),
    Array.from({ length: 200 }, (_, i) => i + 1),
  )
})

test('an outage is concealed on time and the stream resumes in place when it ends', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 300, (k) => (k >= 100 && k < 200 ? null : 0))
  await drain(clock, p)
  const out = samples(sink.bytes)
  assert.is(out.length, 3000)
  assert.equal(
    out.slice(2000, 2010),
    Array.from({ length: 10 }, (_, i) => 2001 + i),
  )
  assert.is(p.stats.framesConcealed, 1000)
  assert.is(p.stats.underruns, 1)
  // The concealment faded to silence well before the outage ended.
  assert.ok(out.slice(1100, 1990).every((v) => v === 0))
})

// The jitter buffer itself, fed by hand: no clock, no sink; positions are frames.

function ring(capacityFrames = 1000, slots?: number) {
  return new JitterBuffer({
    frameBytes: 2,
    capacityFrames,
    maxHeadFrames: 1000,
    ...(slots !== undefined ? { slots } : {}),
    framesPerSlot: 10,
  })
}

/** Reads everything due up to `to`, as the playout does: the first sample of each chunk, and gaps as negative frame counts. */
function readUntil(b: JitterBuffer, to: number): number[] {
  const out: number[] = []
  while (b.readPos < to && b.size > 0) {
    if (b.dropStaleHead()) continue
    const gap = b.framesUntilHead()
    if (gap > 0) {
      const n = Math.min(gap, to - b.readPos)
      b.passConcealed(n)
      out.push(-n)
      continue
    }
    out.push(samples(Buffer.from(b.read(to - b.readPos)))[0]!)
  }
  return out
}

test('ring: reordered packets are placed by timestamp and read in show order', () => {
  const b = ring()
  assert.equal(
    [0, 20, 30, 10].map((k) => b.push(k / 10, k, packet(k))),
    ['queued', 'queued', 'queued', 'queued'],
  )
  assert.equal(readUntil(b, 40), [1, 11, 21, 31])
  assert.equal([b.loss.lost, b.counts.packetsLate, b.counts.packetsReceived], [0, 0, 4])
})

test('ring: a copy is a duplicate whether still queued or already played', () => {
  const b = ring()
  b.push(0, 0, packet(0))
  b.push(1, 10, packet(10))
  assert.is(b.push(1, 10, packet(10)), 'duplicate', 'queued copy')
  readUntil(b, 20)
  assert.is(b.push(0, 0, packet(0)), 'duplicate', 'played copy')
  assert.equal([b.counts.packetsDuplicate, b.counts.packetsReceived, b.counts.packetsLate], [2, 2, 0])
})

test('ring: late is not lost; a packet that never comes is lost', () => {
  const b = ring()
  b.push(0, 0, packet(0))
  b.push(2, 20, packet(20))
  assert.is(b.loss.lost, 1, 'seq 1 missing so far')
  assert.equal(readUntil(b, 30), [1, -10, 21], 'the gap is left for the playout to conceal')
  assert.is(b.push(1, 10, packet(10)), 'late')
  assert.equal([b.counts.packetsLate, b.loss.lost, b.size], [1, 0, 0])
  b.push(4, 40, packet(40))
  assert.equal([b.loss.lost, b.counts.packetsLate], [1, 1], 'seq 3 never came: lost, not late')
})

test('ring: a packet partly before the read position is late, and its rest is used', () => {
  const b = ring()
  b.push(0, 0, packet(0))
  readUntil(b, 10)
  b.passConcealed(5) // frames 10..14 concealed
  assert.is(b.push(1, 10, packet(10)), 'queued')
  assert.is(b.counts.packetsLate, 1)
  assert.equal(samples(Buffer.from(b.read(100))), [16, 17, 18, 19, 20])
})

test('ring: the 65535 -> 0 wrap of seq and timestamp keeps order, with no loss or gap', () => {
  const b = ring()
  const ts0 = 0xffff_ffff - 25
  for (let k = 0; k < 6; k++) b.push((65533 + k) & 0xffff, (ts0 + k * 10) >>> 0, packet(k * 10))
  assert.equal(readUntil(b, b.readPos + 60), [1, 11, 21, 31, 41, 51])
  assert.equal([b.loss.lost, b.loss.expected], [0, 6])
})

test('ring: INIT just before the first packet starts the read position there (the head is a gap)', () => {
  const b = ring()
  b.startAt(100)
  b.push(0, 130, packet(30))
  assert.equal([b.readPos, b.framesUntilHead(), b.bufferedFrames], [100, 30, 10])
  const far = ring()
  far.startAt(100)
  far.push(0, 100 + 1001, packet(0))
  assert.is(far.readPos, 1101, 'more than maxHeadFrames after INIT: start at the packet')
})

test('ring: full of slots, the oldest goes and is counted late', () => {
  const b = ring(100_000, 4)
  assert.is(b.capacity, 4)
  for (let k = 0; k < 6; k++) b.push(k, k * 10, packet(k * 10))
  assert.equal([b.size, b.counts.packetsLate], [4, 2])
  assert.equal(readUntil(b, 100), [-20, 21, 31, 41, 51])
})

test('ring: past capacityFrames the oldest goes too', () => {
  const b = ring(25)
  for (let k = 0; k < 5; k++) b.push(k, k * 10, packet(k * 10))
  assert.equal([b.size, b.bufferedFrames, b.counts.packetsLate], [2, 20, 3])
})

test('ring: overlapping timestamps: a packet wholly behind the read position is dropped as late', () => {
  const b = ring()
  b.push(0, 0, packet(0))
  b.push(1, 2, packet(2, 6)) // frames 2..7, inside packet 0
  b.push(2, 10, packet(10))
  assert.equal(readUntil(b, 20), [1, 11])
  assert.is(b.counts.packetsLate, 1)
})

test('ring: no allocation growth: fixed slots, whole packets handed back as they came', () => {
  const b = ring(200)
  const capacity = b.capacity
  const pcm = packet(0)
  for (let k = 0; k < 200_000; k++) {
    b.push(k & 0xffff, (k * 10) >>> 0, pcm)
    // Read three packets at a time (the ring wraps round many times).
    if (k % 3 === 2) while (b.size > 0) assert.ok(b.read(1000) === pcm, 'a whole packet is the very view that was pushed')
  }
  assert.is(b.capacity, capacity)
  b.push(0, 2_000_000, pcm)
  const part = b.read(3)
  assert.equal([part.byteLength, part.buffer === pcm.buffer], [6, true], 'a part is a view on the same bytes, not a copy')
})

test.run()
