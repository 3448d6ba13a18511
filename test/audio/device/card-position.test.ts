// When a frame leaves the card, from when naudiodon2 takes each chunk: against a card
// simulated as naudiodon2 and PortAudio play (test/helpers/simulated-card.ts), chunks of
// sizes that do not divide the card's buffer. With PortAudio's queue kept full the
// estimate is exact; when it is not full, or the host's stamp is late, the estimate is
// late, never early (steering.ts relies on that).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CardPosition } from '../../../src/audio/device/card-position.js'
import { ManualClock } from '../../helpers/manual-clock.js'
import { departures, numberedFrames, SimulatedCard } from '../../helpers/simulated-card.js'

const RATE = 48000
const SIZES = [100, 64, 200, 37]

/** Writes numbered chunks, keeping `aheadFrames` written beyond what the card has played. */
async function run(o: { aheadFrames: number; hostDelayMs?: () => number; ppm?: number }) {
  const clock = new ManualClock()
  const card = new SimulatedCard(clock, { latencyMs: 4, ppm: o.ppm ?? 0, ...(o.hostDelayMs ? { hostDelayMs: o.hostDelayMs } : {}) })
  const stream = card.devices.playback({ deviceId: 0, rateHz: RATE, channels: 2, format: 's16le', framesPerBuffer: 128 })
  const position = new CardPosition<number>({ rateHz: RATE, bufferFrames: 128, outputLatencyMs: 4 })
  const starts: number[] = []
  const estimates: Array<{ start: number; leavesMs: number }> = []
  let frame = 0
  const playedFrames = () => card.played.reduce((n, p) => n + p.bytes.byteLength / 4, 0)
  for (let i = 0; i < 4000; i++) {
    while (frame - playedFrames() < o.aheadFrames) {
      const n = SIZES[starts.length % SIZES.length]!
      const chunk = starts.length
      starts.push(frame)
      // Due at 0: the measured error is the estimate of when the chunk leaves.
      position.written(n, 0, chunk)
      stream.write(numberedFrames(frame, n), (atMs) => {
        const m = position.taken(atMs!)
        if (m) estimates.push({ start: starts[m.stamp]!, leavesMs: m.errorMs })
      })
      frame += n
    }
    await clock.advance(1)
  }
  const truth = departures(card.played)
  const off = estimates.filter((e) => truth.has(e.start)).map((e) => e.leavesMs - truth.get(e.start)!)
  return { off, underruns: card.underruns }
}

test('queue kept full: when each chunk leaves is known to the µs, whatever its size against the buffer', async () => {
  const { off, underruns } = await run({ aheadFrames: 1500 })
  assert.is(underruns, 0)
  assert.ok(off.length > 1500, `${off.length} measurements`)
  assert.ok(Math.max(...off.map(Math.abs)) < 1e-6, `off by up to ${Math.max(...off.map(Math.abs))} ms`)
})

test('a card 300 ppm slow: still to within 10 ns (the offset inside a buffer is read at the nominal rate)', async () => {
  const { off } = await run({ aheadFrames: 1500, ppm: -300 })
  assert.ok(Math.max(...off.map(Math.abs)) < 1e-5)
})

test("the host's stamp late by a thread hop, or the queue not full: the estimate is late, never early", async () => {
  let seed = 1
  const hop = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 0.2
  const late = await run({ aheadFrames: 1500, hostDelayMs: hop })
  assert.ok(Math.min(...late.off) >= 0 && Math.max(...late.off) <= 0.2, `${Math.min(...late.off)} .. ${Math.max(...late.off)}`)
  // Fewer frames ahead than the queue holds: it never fills, the card is further on than the estimate assumes.
  const sparse = await run({ aheadFrames: 300 })
  assert.ok(sparse.off.length > 100 && Math.min(...sparse.off) >= 0, `never early (${Math.min(...sparse.off)})`)
  assert.ok(Math.max(...sparse.off) > 1, 'and it can be far late: the steering takes the floor')
})

test("where the next frame written falls in the card's buffer: a callback plays a whole buffer, so that frame leaves that much after the buffer's first", () => {
  const position = new CardPosition<number>({ rateHz: RATE, bufferFrames: 128, outputLatencyMs: 4 })
  assert.is(position.bufferOffsetMs, 0)
  position.written(100, 0, 0)
  assert.ok(Math.abs(position.bufferOffsetMs - (100 / RATE) * 1000) < 1e-9)
  position.written(60, 0, 1) // 160 frames: 32 into the second buffer
  assert.ok(Math.abs(position.bufferOffsetMs - (32 / RATE) * 1000) < 1e-9)
  position.written(96, 0, 2) // 256: a buffer's start again
  assert.is(position.bufferOffsetMs, 0)
})

test.run()
