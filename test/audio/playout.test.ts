import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Playout } from '../../src/audio/playout.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'

import { FORMAT, packet, samples } from '../helpers/counting-packets.js'

function setup(latencyMs = 30) {
  const clock = new ManualClock()
  const sink = new MemorySink(() => clock.now())
  const p = new Playout({ format: FORMAT, latencyMs, sink, clock })
  return { clock, sink, p }
}

test('audio plays latencyMs after the first packet arrives, at the sample rate', async () => {
  const { clock, sink, p } = setup(30)
  for (let k = 0; k < 5; k++) p.push(k, k * 10, packet(k * 10))
  await clock.advance(29)
  assert.is(sink.bytes.length, 0, 'nothing before the latency has passed')
  await clock.advance(21)
  // Playout began at t=30; at t=50 the frames timed 30..50 have played: 21 of them.
  assert.equal(
    samples(sink.bytes),
    Array.from({ length: 21 }, (_, i) => i + 1),
  )
  assert.is(p.stats.framesPlayed, 21)
  assert.is(p.stats.bufferMs, 29)
})

test('a gap in timestamps is filled with silence and counted, keeping alignment', async () => {
  const { clock, sink, p } = setup(0)
  p.push(0, 0, packet(0))
  p.push(2, 20, packet(20)) // seq 1 (frames 10..19) never comes
  await clock.advance(35)
  const out = samples(sink.bytes)
  assert.equal(out.slice(0, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  assert.equal(out.slice(10, 20), new Array(10).fill(0))
  assert.equal(out.slice(20, 30), [21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
  assert.equal([p.stats.packetsLost, p.stats.framesConcealed], [1, 10])
})

test('jitter is measured from arrival times against media timestamps (RFC 3550)', async () => {
  const { clock, p } = setup(50)
  for (let k = 0; k < 100; k++) {
    await clock.advance(k * 10 + (k % 2 ? 3 : 0) - clock.now())
    p.push(k, k * 10, packet(k * 10))
  }
  assert.ok(Math.abs(p.stats.jitterMs - 3) < 0.05, `${p.stats.jitterMs}`)
  p.stop()
})

test('on a reliable transport an empty buffer waits for late audio (underrun), skipping nothing', async () => {
  const { clock, sink, p } = setup(10)
  p.push(0, 0, packet(0))
  await clock.advance(40) // the buffer ran dry at t=20
  assert.is(p.stats.underruns, 1)
  p.push(1, 10, packet(10))
  await clock.advance(20)
  assert.equal(
    samples(sink.bytes),
    Array.from({ length: 20 }, (_, i) => i + 1),
  )
  assert.is(p.stats.framesConcealed, 0)
})

test('a packet whose frames were already played is dropped as late', async () => {
  const { clock, p } = setup(0)
  p.push(0, 0, packet(0))
  p.push(2, 20, packet(20))
  await clock.advance(25)
  p.push(1, 10, packet(10))
  await clock.advance(5)
  assert.is(p.stats.packetsLate, 1)
})

test('drain plays out what is buffered at the normal pace, then stops', async () => {
  const { clock, sink, p } = setup(20)
  for (let k = 0; k < 3; k++) p.push(k, k * 10, packet(k * 10))
  let drained = false
  void p.drain().then(() => (drained = true))
  await clock.advance(40)
  assert.not.ok(drained)
  await clock.advance(15)
  assert.ok(drained)
  assert.is(sink.bytes.length, 60)
  assert.ok(sink.times.at(-1)! >= 49, 'the last frame was not rushed out')
})

test('sequence and timestamps wrap without a gap', async () => {
  const { clock, sink, p } = setup(0)
  p.push(65535, 0xffff_fff6, packet(0))
  p.push(0, 0, packet(10))
  await clock.advance(25)
  assert.equal([p.stats.packetsLost, p.stats.framesConcealed, p.stats.framesPlayed], [0, 0, 20])
  assert.is(samples(sink.bytes)[19], 20)
})

test('memory stays bounded when audio arrives faster than it plays', () => {
  const { p } = setup(0)
  for (let k = 0; k < 1000; k++) p.push(k & 0xffff, k * 10, packet(k * 10))
  // The cap is the deepest the jitter buffer may run (200 ms by default) plus two seconds.
  assert.ok(p.stats.bufferMs <= 2210, `buffered ${p.stats.bufferMs} ms`)
  p.stop()
})

test('the latency governor pulls a late-anchored schedule back to --latency, dropping nothing', async () => {
  const { clock, sink, p } = setup(0)
  // Packet 0 arrives 20 ms late and anchors the schedule; every later packet is on time,
  // so without the governor each would wait 20 ms in the buffer for the whole show.
  await clock.advance(20)
  p.push(0, 0, packet(0))
  const firstWrite = new Map<number, number>()
  for (let k = 1; k < 300; k++) {
    await clock.advance(Math.max(0, k * 10 - clock.now()))
    p.push(k, k * 10, packet(k * 10))
    await clock.advance(0)
    sink.times.forEach((t, i) => {
      if (!firstWrite.has(i)) firstWrite.set(i, t)
    })
  }
  await clock.advance(50)
  const played = samples(sink.bytes)
  assert.equal(
    played,
    Array.from({ length: 3000 }, (_, i) => i + 1),
    'every frame played, in order',
  )
  assert.ok(p.stats.latencyTrims >= 1)
  // Late in the show, a packet's first frame is written within ~2 ms of its arrival.
  const waitMs = (k: number) => {
    const idx = sink.chunks.findIndex((c) => c.length >= 2 && Buffer.from(c).readInt16LE(0) === k * 10 + 1)
    return sink.times[idx]! - k * 10
  }
  assert.ok(waitMs(5) >= 15, `early on, the late anchor costs ~20 ms (got ${waitMs(5)})`)
  assert.ok(waitMs(250) <= 3, `after the governor, ${waitMs(250)} ms`)
})

test.run()
