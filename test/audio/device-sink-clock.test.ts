// A sound card on the show clock: the sink fed as the playout feeds it (each 128-frame
// packet with its due time, handed over the sink's lead early), playing to a card simulated
// as naudiodon2 and PortAudio play (test/helpers/simulated-card.ts) on a manual clock. Every
// frame carries its show position, so the test reads when each one left the DAC and
// compares it with when it was due.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DeviceSink } from '../../src/audio/device-sink.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { departures, numberedFrames, type SimulatedCardOptions, SimulatedCard } from '../helpers/simulated-card.js'
import { seededRandom } from '../helpers/impairment-relay.js'

const RATE = 48000
const PACKET = 128
const FRAME_MS = 1000 / RATE

/** A deterministic uniform [0, 1), so a failure can be replayed. */
const random = seededRandom

interface Play {
  seconds: number
  card?: SimulatedCardOptions
  showClock?: boolean
  writeLateMs?: () => number
  /** The first packet is handed over this long before it is due (the playout primed early), instead of the sink's lead. */
  firstEarlyMs?: number
  /** The rig is held up until then (ms on its clock) before it writes anything: what came due meanwhile goes at once. */
  heldUntilMs?: number
  /** The rig's event loop stalls: a write due in this span is made at its end (the ones behind it follow at once). */
  rigStall?: { atMs: number; forMs: number }
  /** The show's latency: packets are handed over the sink's aheadMs early (as the playout does), not its lead. */
  latencyMs?: number
}

async function play(o: Play) {
  const clock = new ManualClock()
  const card = new SimulatedCard(clock, { latencyMs: 5, ...o.card })
  const sink = new DeviceSink({ name: 'sim', buffer: { frames: 128 }, devices: card.devices, clock })
  sink.open({ rateHz: RATE, channels: 2, format: 's16le' })
  assert.is(sink.realtime, true)
  // The show: position n is due at 100 ms + n frames on the rig's clock.
  const dueOf = (n: number) => 100 + n * FRAME_MS
  const packets = Math.floor((o.seconds * RATE) / PACKET)
  if (o.heldUntilMs !== undefined) await clock.advance(o.heldUntilMs - clock.now())
  for (let p = 0; p < packets; p++) {
    const first = p * PACKET
    // The playout hands a packet over the sink's lead before it is due, a little late when its event loop is busy.
    const leadMs =
      p === 0 && o.firstEarlyMs !== undefined
        ? o.firstEarlyMs
        : o.latencyMs !== undefined
          ? sink.aheadMs(PACKET, o.latencyMs)
          : sink.leadMs(PACKET)
    let at = Math.max(clock.now(), dueOf(first) - leadMs + (o.writeLateMs?.() ?? 0))
    const stall = o.rigStall
    if (stall && at >= stall.atMs && at < stall.atMs + stall.forMs) at = stall.atMs + stall.forMs
    await clock.advance(at - clock.now())
    sink.write(numberedFrames(first, PACKET), o.showClock === false ? undefined : dueOf(first))
  }
  const underruns = card.underruns
  await clock.advance(100) // the last frames leave (and then the card runs dry)
  const left = departures(card.played)
  /** How late position n left the DAC, ms. */
  const errorAt = (n: number) => left.get(n)! - dueOf(n)
  const positions = [...left.keys()].filter((n) => n > 0)
  return { stats: sink.deviceStats()!, errorAt, positions, underruns, lead: sink.leadMs(PACKET) }
}

const worstAfter = (r: Awaited<ReturnType<typeof play>>, fromS: number) => {
  let worst = 0
  for (const n of r.positions) if (n >= fromS * RATE) worst = Math.max(worst, Math.abs(r.errorAt(n)))
  return worst
}

test('the lead covers the card: its output latency, its buffer and PortAudio queue kept full, and a tick', async () => {
  const r = await play({ seconds: 1 })
  // 5 ms latency + the card's 128-frame buffer + 4 writes of 128 frames (2.67 ms each) + 1 ms.
  assert.ok(Math.abs(r.lead - (5 + (5 * 128 * 1000) / RATE + 1)) < 1e-9, `lead ${r.lead} ms`)
  // Under the default show latency (20 ms) less a packet: a packet can arrive in time.
  assert.ok(r.lead - 5 < 20 - (128 * 1000) / RATE, `lead ${r.lead} ms`)
})

for (const ppm of [200, -200]) {
  test(`a card ${Math.abs(ppm)} ppm ${ppm > 0 ? 'fast' : 'slow'}: every frame leaves within 0.25 ms of its due time, single frames ${ppm > 0 ? 'repeated' : 'dropped'}`, async () => {
    // The host's stamp up to 0.2 ms late (a thread hop; 0.04-0.07 ms measured through JACK).
    const hop = random(5)
    const r = await play({ seconds: 40, card: { ppm, hostDelayMs: () => 0.2 * hop() } })
    if (process.env.SYNCHRO_DEBUG) console.log(ppm, JSON.stringify(r.stats), worstAfter(r, 0.5), worstAfter(r, 3))
    assert.is(r.underruns, 0)
    // From its first frame: the sink waits with silence until the first is due.
    assert.ok(Math.abs(r.errorAt(PACKET)) < 0.25, `the start ${r.errorAt(PACKET).toFixed(3)} ms off`)
    // No single frame before the drift is measured (5 s of the floor): 1 ms off by then, caught up at 417 - 200 ppm.
    const worst = worstAfter(r, 12)
    assert.ok(worst < 0.25, `within ${worst.toFixed(3)} ms after 12 s`)
    assert.ok(worstAfter(r, 3) < 1.5, `never more than the 5 s of drift off (${worstAfter(r, 3).toFixed(3)} ms)`)
    // 40 s at 200 ppm: 384 frames.
    const fixes = ppm > 0 ? r.stats.framesInserted : r.stats.framesDropped
    assert.ok(Math.abs(fixes - 384) < 40, `${fixes} single frames for a drift of 384`)
    assert.is(ppm > 0 ? r.stats.framesDropped : r.stats.framesInserted, 0)
    assert.is(r.stats.hardResyncs, 0)
    assert.ok(Math.abs(r.stats.driftPpm - ppm) < 25, `measured ${r.stats.driftPpm} ppm`)
    assert.ok(r.stats.syncErrorMs !== null && Math.abs(r.stats.syncErrorMs) < 0.25, `syncErrorMs ${r.stats.syncErrorMs}`)
  })
}

test("a card with no drift, the device host's stamps and the playout's writes both jittery: no correction, on time throughout", async () => {
  // Thread hops of up to 1 ms (15 times what was measured), writes up to 1 ms and 3 ms late.
  const r = await play({ seconds: 20, card: { hostDelayMs: random(9) }, writeLateMs: random(2) })
  const late = random(2)
  const r2 = await play({ seconds: 20, card: { hostDelayMs: random(9) }, writeLateMs: () => 3 * late() })
  for (const x of [r, r2]) {
    assert.equal([x.stats.framesDropped, x.stats.framesInserted, x.stats.hardResyncs], [0, 0, 0], JSON.stringify(x.stats))
    assert.ok(worstAfter(x, 0.1) < 0.05, `within ${worstAfter(x, 0.1).toFixed(3)} ms`)
  }
})

test('the card stalls for 50 ms: the frames it holds play late, one hard resync skips the rest, then on time again', async () => {
  const r = await play({ seconds: 12, card: { stall: { atMs: 5000, forMs: 50 } } })
  assert.ok(r.stats.hardResyncs >= 1, JSON.stringify(r.stats))
  assert.ok(r.stats.framesSkipped > 0)
  const worst = worstAfter(r, 6.5)
  assert.ok(worst < 0.25, `within ${worst.toFixed(3)} ms 1.5 s after the stall`)
})

test('a card 400 ppm fast (near the most a settling clock estimate slews, 500) is followed by single frames once its drift is measured, never padded at once', async () => {
  const r = await play({ seconds: 10, card: { ppm: 400 } })
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats), worstAfter(r, 3))
  assert.is(r.stats.hardResyncs, 0, JSON.stringify(r.stats))
  assert.is(r.stats.framesDropped, 0)
  assert.is(r.underruns, 0, 'measured before the card ran dry')
  // 3 s of drift measured (1.2 ms early by then), then up to 417 ppm of single frames against it.
  assert.ok(r.stats.framesInserted > 100, `${r.stats.framesInserted} single frames`)
  assert.ok(Math.abs(r.stats.driftPpm - 400) < 25, `measured ${r.stats.driftPpm} ppm`)
  // Its first alignment found it already early and put silence before the audio: counted.
  assert.ok(r.stats.framesPadded < 128, `${r.stats.framesPadded} frames padded at the alignment`)
})

for (const stallMs of [50, 100, 200]) {
  test(`a card with no drift stalls for ${stallMs} ms: no single frame, before or after (a stall is not drift)`, async () => {
    const hop = random(17)
    const r = await play({ seconds: 20, card: { stall: { atMs: 6000, forMs: stallMs }, hostDelayMs: () => 0.2 * hop() } })
    if (process.env.SYNCHRO_DEBUG) console.log(stallMs, JSON.stringify(r.stats))
    assert.equal([r.stats.framesDropped, r.stats.framesInserted], [0, 0], JSON.stringify(r.stats))
    assert.ok(Math.abs(r.stats.driftPpm) < 10, `no drift read into the stall (${r.stats.driftPpm} ppm)`)
    assert.ok(r.stats.hardResyncs <= 1, 'at most one hard resync skips what the stall made late')
  })
}

test('a start where the first frame is due later than the card could play it: silence until it is due, nothing skipped, on time from the first frame', async () => {
  // Handed over 40 ms early, 26 ms before the sink's lead asks.
  const r = await play({ seconds: 3, firstEarlyMs: 40 })
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats), r.positions.at(-1))
  assert.is(r.stats.framesSkipped, 0)
  assert.is(r.stats.hardResyncs, 0)
  // Every frame up to the card's last whole buffer (0 is left out: silence is zeros too).
  assert.is(r.positions.length, r.positions.at(-1), 'no frame missing')
  assert.ok(r.positions.at(-1)! > 3 * RATE - 128)
  assert.ok(Math.abs(r.errorAt(1)) < 0.25, `the first frames ${r.errorAt(1).toFixed(3)} ms off`)
  assert.ok(worstAfter(r, 0) < 0.25, `within ${worstAfter(r, 0).toFixed(3)} ms throughout`)
})

test('a start held up past the first due times (the card opened late): only the frames already late are skipped, the rest on time', async () => {
  // Held until 400 ms: with the card's 5 ms, frames due before 405 ms can no longer leave on time.
  const r = await play({ seconds: 3, heldUntilMs: 400 })
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats), r.positions.at(-1))
  const late = Math.round((405 - 100) / FRAME_MS)
  assert.is(r.stats.framesSkipped, late, JSON.stringify(r.stats))
  assert.is(
    r.positions.reduce((a, b) => Math.min(a, b)),
    late,
    'the first frame played is the first that could be on time',
  )
  assert.is(r.positions.length, r.positions.at(-1)! - late + 1, 'no later frame missing')
  assert.is(r.stats.hardResyncs, 0)
  assert.ok(worstAfter(r, 0) < 0.25, `within ${worstAfter(r, 0).toFixed(3)} ms from the first frame`)
})

test("the rig's event loop stalls 30 ms mid-show: what came due meanwhile is skipped as late, what follows plays on time", async () => {
  const r = await play({ seconds: 6, rigStall: { atMs: 3000, forMs: 30 } })
  // The card held 14.3 ms (the lead less its 5 ms): what was due from then to the end of the stall, and no more, is skipped.
  const skipped = r.stats.framesSkipped
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats), r.positions.at(-1))
  assert.ok(skipped > 0.01 * RATE && skipped < 0.03 * RATE, `${skipped} frames skipped`)
  const missing = r.positions.at(-1)! - r.positions.length
  assert.is(missing, skipped, 'nothing lost but what was skipped')
  assert.equal([r.stats.framesDropped, r.stats.framesInserted, r.stats.hardResyncs], [0, 0, 0])
  assert.ok(worstAfter(r, 3.5) < 0.25, `within ${worstAfter(r, 3.5).toFixed(3)} ms half a second on`)
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats))
})

test('through a device host (writes held until their time), at a show latency of 50 ms: a 30 ms stall of the rig never reaches the card', async () => {
  const r = await play({ seconds: 6, latencyMs: 50, card: { timedWrites: true }, rigStall: { atMs: 3000, forMs: 30 } })
  if (process.env.SYNCHRO_DEBUG) console.log(JSON.stringify(r.stats), r.positions.at(-1))
  assert.equal(
    [r.stats.framesSkipped, r.stats.framesDropped, r.stats.framesInserted, r.stats.hardResyncs],
    [0, 0, 0, 0],
    JSON.stringify(r.stats),
  )
  assert.is(r.underruns, 0, 'the card never waited')
  assert.is(r.positions.length, r.positions.at(-1), 'no frame missing')
  assert.ok(worstAfter(r, 0) < 0.25, `every frame within ${worstAfter(r, 0).toFixed(3)} ms of its time`)
})

test('in process (no host to hold them) the sink takes frames only its lead ahead, whatever the latency', async () => {
  const card = new SimulatedCard(new ManualClock(), { latencyMs: 5 })
  const sink = new DeviceSink({ name: 'sim', buffer: { frames: 128 }, devices: card.devices, clock: new ManualClock() })
  sink.open({ rateHz: RATE, channels: 2, format: 's16le' })
  assert.is(sink.aheadMs(PACKET, 50), sink.leadMs(PACKET))
  const hosted = new SimulatedCard(new ManualClock(), { latencyMs: 5, timedWrites: true })
  const viaHost = new DeviceSink({ name: 'sim', buffer: { frames: 128 }, devices: hosted.devices, clock: new ManualClock() })
  viaHost.open({ rateHz: RATE, channels: 2, format: 's16le' })
  assert.is(viaHost.aheadMs(PACKET, 50), 50)
  assert.is(viaHost.aheadMs(PACKET, 10), viaHost.leadMs(PACKET), 'never less than the card needs')
})

test('without a show clock the card is followed by the frames waiting for it, as before: no sync error is claimed', async () => {
  const r = await play({ seconds: 3, showClock: false, card: { ppm: 300 } })
  assert.is(r.stats.syncErrorMs, null)
  assert.is(r.stats.hardResyncs, 0)
  assert.ok(r.positions.length > 2.5 * RATE, 'it played')
})

test.run()
