// The playout in lossy (UDP) mode is the jitter buffer: fed packets on a manual clock,
// it must reorder, drop duplicates, conceal loss on time, tell late from lost, survive
// the sequence wrap, and adapt its depth to jitter without growing under pure loss.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Playout } from '../../src/audio/playout.js'
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
async function stream(clock: ManualClock, p: Playout, from: number, to: number, delay: (k: number) => number | null, seqBase = 0, tsBase = 0) {
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
  assert.equal(samples(sink.bytes).slice(0, 100), Array.from({ length: 100 }, (_, i) => i + 1))
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
  assert.equal(samples(sink.bytes).slice(0, 50), Array.from({ length: 50 }, (_, i) => i + 1))
})

test('a lost packet is concealed on time, not waited for, and counted as lost', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 10, (k) => (k === 4 ? null : 0))
  await drain(clock, p)
  const out = samples(sink.bytes)
  assert.is(out.length, 100, 'one frame out per frame of the show')
  assert.equal(out.slice(0, 40), Array.from({ length: 40 }, (_, i) => i + 1), 'before the loss: exact')
  assert.equal(out.slice(50, 100), Array.from({ length: 50 }, (_, i) => i + 51), 'after the loss: exact and in place')
  assert.ok(out.slice(40, 50).some((v) => v !== 0), 'the gap is concealed with audio, not silence')
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
  assert.equal(out.slice(40), Array.from({ length: 20 }, (_, i) => 41 + i))
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
  assert.equal(samples(sink.bytes), Array.from({ length: 200 }, (_, i) => i + 1))
})

test('an outage is concealed on time and the stream resumes in place when it ends', async () => {
  const { clock, sink, p } = setup(20)
  await stream(clock, p, 0, 300, (k) => (k >= 100 && k < 200 ? null : 0))
  await drain(clock, p)
  const out = samples(sink.bytes)
  assert.is(out.length, 3000)
  assert.equal(out.slice(2000, 2010), Array.from({ length: 10 }, (_, i) => 2001 + i))
  assert.is(p.stats.framesConcealed, 1000)
  assert.is(p.stats.underruns, 1)
  // The concealment faded to silence well before the outage ended.
  assert.ok(out.slice(1100, 1990).every((v) => v === 0))
})

test.run()
