// The steering to the show clock, pure, on a manual clock: a card whose frames leave at its
// own rate, 128-frame chunks written by a playout at 48 kHz, each chunk's lateness measured
// six chunks later (PortAudio's queue) with the one-sided noise the real measurement has.
// It converges on a card ±200 ppm off with single frames; on a card with no drift and
// jittery timing (and stalls of the device host) it corrects nothing; a 50 ms jump of the
// card is one hard resync, either way.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CardSteering, floorOf, type Stamp } from '../../../src/audio/device/steering.js'
import { ManualClock } from '../../helpers/manual-clock.js'
import { seededRandom } from '../../helpers/impairment-relay.js'

const RATE = 48000
const CHUNK = 128
const CHUNK_MS = (CHUNK / RATE) * 1000
const FRAME_MS = 1000 / RATE

/** A deterministic uniform [0, 1), so a failure can be replayed. */
const random = seededRandom

interface Card {
  ppm: number
  /** Noise added to a measurement (never negative: the real one is only ever late). */
  noiseMs?: (i: number) => number
  /** The card's frames leave this much later from chunk `atChunk` on (a stall, or a card that skipped ahead). */
  jump?: { atChunk: number; ms: number }
  /** The first frame's error before any correction. */
  startMs?: number
}

async function run(card: Card, seconds: number) {
  const clock = new ManualClock()
  const s = new CardSteering(RATE)
  const chunks = seconds * (1000 / CHUNK_MS)
  // Frames removed (+) or added (-) so far: where each chunk sits in the card's stream.
  let removed = 0
  const written: Array<{ errorMs: number; stamp: Stamp }> = []
  const trueErrors: number[] = []
  let hardFrames = 0
  for (let i = 0; i < chunks; i++) {
    await clock.advance(CHUNK_MS)
    const c = s.decide(clock.now())
    if (c.kind === 'hard') {
      removed += c.frames
      hardFrames += c.frames
    }
    const stamp = s.stamp
    const position = i * CHUNK - removed // this chunk's first frame in the card's stream
    // It leaves at the card's rate from where the card started; it is due at the show's.
    const dacMs =
      (card.startMs ?? 0) + (position * FRAME_MS) / (1 + card.ppm / 1e6) + (card.jump && i >= card.jump.atChunk ? card.jump.ms : 0)
    const dueMs = i * CHUNK_MS
    written.push({ errorMs: dacMs - dueMs, stamp: c.kind === 'soft' ? { ...stamp, applied: stamp.applied - c.frames } : stamp })
    trueErrors.push(dacMs - dueMs)
    if (c.kind === 'soft') removed += c.frames
    // PortAudio's queue: chunk i - 6 is the one the card plays now.
    const measured = written[i - 6]
    if (measured) s.measure(measured.errorMs + (card.noiseMs?.(i) ?? 0), measured.stamp)
  }
  if (process.env.SYNCHRO_DEBUG)
    console.log(JSON.stringify(s.stats), hardFrames, Math.max(...trueErrors.slice(-5000).map(Math.abs)).toFixed(3))
  return { stats: s.stats, trueErrors, hardFrames }
}

for (const ppm of [200, -200]) {
  test(`a card ${Math.abs(ppm)} ppm ${ppm > 0 ? 'fast' : 'slow'}: single frames ${ppm > 0 ? 'inserted' : 'dropped'}, it stays within 0.2 ms of the show clock, the drift is measured`, async () => {
    const r = random(7)
    const { stats, trueErrors } = await run({ ppm, startMs: 3, noiseMs: () => 0.15 * -Math.log(1 - r()) }, 60)
    // No single frame before the drift is measured over 5 s (1 ms off by then); caught up at 417 - 200 ppm.
    const settled = trueErrors.slice(Math.round(12_000 / CHUNK_MS))
    const worst = Math.max(...settled.map(Math.abs))
    assert.ok(worst < 0.2, `within ${worst.toFixed(3)} ms after 12 s`)
    const settledAt = trueErrors.findLastIndex((e) => Math.abs(e) >= 0.2) * CHUNK_MS
    if (process.env.SYNCHRO_DEBUG) console.log(`settled within 0.2 ms from ${(settledAt / 1000).toFixed(1)} s`)
    // 60 s at 200 ppm is 12 ms: 576 frames at 48 kHz.
    const fixes = ppm > 0 ? stats.framesInserted : stats.framesDropped
    assert.ok(Math.abs(fixes - 576) < 40, `${fixes} frames ${ppm > 0 ? 'inserted' : 'dropped'} for a drift of 576`)
    assert.is(ppm > 0 ? stats.framesDropped : stats.framesInserted, 0, 'never both ways')
    assert.is(stats.hardResyncs, 0)
    assert.ok(Math.abs(stats.driftPpm - ppm) < 20, `measured ${stats.driftPpm} ppm, true ${ppm}`)
    assert.ok(stats.syncErrorMs !== null && Math.abs(stats.syncErrorMs) < 0.3, `syncErrorMs ${stats.syncErrorMs}`)
  })
}

test('a card with no drift and jittery timing, the device host stalling now and then: aligned once at the start, then no correction at all', async () => {
  const r = random(11)
  const noise = (i: number) => {
    // Thread hops (exponential, 0.2 ms mean), a queue that was not full (up to a chunk), and a 40 ms stall of the host every 5 s.
    const hop = 0.2 * -Math.log(1 - r())
    const notFull = r() < 0.1 ? r() * CHUNK_MS : 0
    const stall = i % 1875 < 15 ? 40 * r() : 0
    return hop + notFull + stall
  }
  const { stats, trueErrors, hardFrames } = await run({ ppm: 0, startMs: 2, noiseMs: noise }, 60)
  assert.equal(
    { dropped: stats.framesDropped, inserted: stats.framesInserted, hardResyncs: stats.hardResyncs },
    { dropped: 0, inserted: 0, hardResyncs: 0 },
  )
  // The start was 2 ms late: one alignment (not counted as a resync) skipped it.
  assert.ok(Math.abs(hardFrames - 96) <= 2, `${hardFrames} frames skipped at the start for 2 ms (96 frames)`)
  // Aligned once 100 measurements agree (the first 0.3 s).
  const worst = Math.max(...trueErrors.slice(Math.round(300 / CHUNK_MS)).map(Math.abs))
  assert.ok(worst < 0.1, `within ${worst.toFixed(3)} ms`)
})

test('a card that starts early (its first frame leaves 2 ms before it is due): the one alignment pads 96 frames of silence, nothing skipped', async () => {
  const r = random(13)
  const { stats, trueErrors, hardFrames } = await run({ ppm: 0, startMs: -2, noiseMs: () => 0.1 * r() }, 10)
  assert.is(hardFrames, -96, `${hardFrames} frames (negative: padded)`)
  assert.equal([stats.hardResyncs, stats.framesDropped, stats.framesInserted], [0, 0, 0], JSON.stringify(stats))
  const worst = Math.max(...trueErrors.slice(Math.round(400 / CHUNK_MS)).map(Math.abs))
  assert.ok(worst < 0.05, `then within ${worst.toFixed(3)} ms`)
})

for (const ms of [50, -50]) {
  test(`the card jumps ${ms > 0 ? '50 ms late (a stall)' : '50 ms early'}: one hard resync ${ms > 0 ? 'skips' : 'pads'} it at once, then on time again`, async () => {
    const r = random(3)
    const atChunk = Math.round(10_000 / CHUNK_MS)
    const { stats, trueErrors, hardFrames } = await run({ ppm: 0, jump: { atChunk, ms }, noiseMs: () => 0.1 * r() }, 20)
    assert.is(stats.hardResyncs, 1)
    assert.ok(Math.abs(hardFrames - (ms / 1000) * RATE) <= 5, `${hardFrames} frames ${ms > 0 ? 'skipped' : 'padded'}`)
    assert.ok(stats.framesDropped + stats.framesInserted < 10, `${stats.framesDropped + stats.framesInserted} single frames besides`)
    // A late jump is believed once it outlasts 95 measurements (0.25 s), an early one at once.
    const back = trueErrors.findIndex((e, i) => i > atChunk && Math.abs(e) < 0.2)
    const tookMs = (back - atChunk) * CHUNK_MS
    assert.ok(tookMs < (ms > 0 ? 400 : 100), `on time again ${tookMs.toFixed(0)} ms after the jump`)
    const worst = Math.max(...trueErrors.slice(back + 10).map(Math.abs))
    assert.ok(worst < 0.2, `then within ${worst.toFixed(3)} ms`)
  })
}

test('a card 3 ms late after a stall: not left to single frames for seconds, one hard resync after 1.3 s', async () => {
  const atChunk = Math.round(10_000 / CHUNK_MS)
  const { stats, trueErrors, hardFrames } = await run({ ppm: 0, jump: { atChunk, ms: 3 } }, 20)
  assert.is(stats.hardResyncs, 1)
  assert.ok(Math.abs(hardFrames - 144) <= 30, `${hardFrames} frames skipped (3 ms is 144, less what single frames took meanwhile)`)
  const back = trueErrors.findIndex((e, i) => i > atChunk && Math.abs(e) < 0.2)
  const tookMs = (back - atChunk) * CHUNK_MS
  assert.ok(tookMs > 1300 && tookMs < 2000, `on time again ${tookMs.toFixed(0)} ms after the stall`)
})

for (const ms of [50, 100, 200]) {
  test(`a card with no drift that stalls ${ms} ms and comes back 1.5 ms late: no single frame (a stall is one step, not a drift)`, async () => {
    const r = random(ms)
    const atChunk = Math.round(8000 / CHUNK_MS)
    // The host's measurements stall with it (the stall's length late), and the card is left 1.5 ms later than before.
    const stallChunks = Math.round(ms / CHUNK_MS)
    const noise = (i: number) => 0.15 * -Math.log(1 - r()) + (i >= atChunk && i < atChunk + stallChunks ? ms * r() : 0)
    const { stats } = await run({ ppm: 0, jump: { atChunk, ms: 1.5 }, noiseMs: noise }, 30)
    assert.equal([stats.framesDropped, stats.framesInserted, stats.hardResyncs], [0, 0, 0], JSON.stringify(stats))
    assert.ok(Math.abs(stats.driftPpm) < 5, `drift read ${stats.driftPpm} ppm`)
  })
}

test('a late jump shorter than the window is not believed: a stall of the measurement is not drift', async () => {
  // 200 ms of measurements 30 ms late (the host stalled), the card itself on time.
  const atChunk = Math.round(10_000 / CHUNK_MS)
  const { stats } = await run({ ppm: 0, noiseMs: (i) => (i >= atChunk && i < atChunk + 75 ? 30 : 0) }, 20)
  assert.equal([stats.hardResyncs, stats.framesDropped, stats.framesInserted], [0, 0, 0])
})

test("the floor: a window's 5th percentile and half its 95% interval from order statistics", () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i) // 1 .. 100, shuffled by order
  assert.equal(floorOf(values), { floorMs: 5, uncertaintyMs: 4 }) // ranks 1 and 9
  assert.equal(floorOf([3, 1, 2, ...Array(17).fill(10)]), { floorMs: 1, uncertaintyMs: 1 }) // 20 values: ranks 1 and 3
})

test.run()
