// The playout on the show clock (issue 12): a sink that plays in real time gets each packet
// when its first frame is due by the runner's schedule, with that due time; what is not there
// then is concealed (TCP too), what comes after is late; a recording sink ignores the schedule.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Playout } from '../../src/audio/playout.js'
import type { AudioSink } from '../../src/audio/sink.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { FORMAT, packet, samples } from '../helpers/counting-packets.js'

/** A real-time sink: what it got, when, and the due time it was given. */
class TimedSink implements AudioSink {
  readonly description = 'timed'
  readonly realtime: boolean
  writes: Array<{ at: number; dueMs: number | undefined; pcm: Uint8Array }> = []
  constructor(
    private readonly clock: ManualClock,
    realtime = true,
    private readonly lead = 0,
  ) {
    this.realtime = realtime
  }
  open(): void {}
  write(pcm: Uint8Array, dueMs?: number): void {
    this.writes.push({ at: this.clock.now(), dueMs, pcm: pcm.slice() })
  }
  leadMs(): number {
    return this.lead
  }
  async close(): Promise<void> {}
  get bytes(): Buffer {
    return Buffer.concat(this.writes.map((w) => w.pcm))
  }
}

// One frame is 1 ms (FORMAT: 1000 Hz, 10-frame packets).
function setup(o: { realtime?: boolean; lossy?: boolean; lead?: number } = {}) {
  const clock = new ManualClock()
  const sink = new TimedSink(clock, o.realtime ?? true, o.lead ?? 0)
  const p = new Playout({ format: FORMAT, latencyMs: 20, sink, clock, lossy: o.lossy ?? false })
  return { clock, sink, p }
}

test('each packet goes out whole when its first frame is due on the schedule, stamped with that time', async () => {
  const { clock, sink, p } = setup()
  p.startAt(0)
  // Position 0 leaves at 100 ms: the arrival time (0) does not matter.
  p.setShowSchedule({ anchorLocalMs: 100, anchorPos: 0, msPerFrame: 1 })
  for (let k = 0; k < 3; k++) p.push(k, k * 10, packet(k * 10))
  await clock.advance(99)
  assert.is(sink.writes.length, 0, 'nothing before its time')
  await clock.advance(30)
  assert.equal(
    sink.writes.map((w) => [w.at, w.dueMs, w.pcm.byteLength / 2]),
    [
      [100, 100, 10],
      [110, 110, 10],
      [120, 120, 10],
    ],
    'a packet per due time, on the timer',
  )
  assert.ok(p.onShowClock)
})

test("moving the schedule moves the writes, never the samples; the schedule's rate (clock drift) stretches time per frame", async () => {
  const { clock, sink, p } = setup()
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 50, anchorPos: 0, msPerFrame: 1 })
  for (let k = 0; k < 6; k++) p.push(k, k * 10, packet(k * 10))
  await clock.advance(65)
  // The clock estimate moved: position 20 now leaves at 75, and frames last 1.001 ms.
  p.setShowSchedule({ anchorLocalMs: 75, anchorPos: 20, msPerFrame: 1.001 })
  await clock.advance(60)
  assert.equal(
    samples(sink.bytes).slice(0, 60),
    Array.from({ length: 60 }, (_, i) => i + 1),
    'every frame once, in order',
  )
  const due = sink.writes.map((w) => w.dueMs)
  assert.equal(due.slice(0, 2), [50, 60])
  assert.ok(Math.abs(due[2]! - 75) < 1e-9 && Math.abs(due[3]! - 85.01) < 1e-9, `${due}`)
})

test('on the show clock a TCP rig does not wait: a packet missing at its time is concealed, and late when it comes', async () => {
  const { clock, sink, p } = setup({ lossy: false })
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 10, anchorPos: 0, msPerFrame: 1 })
  p.push(0, 0, packet(0))
  await clock.advance(25)
  // Frames 10..19 were due at 20 and had not come: silence, in step.
  p.push(1, 10, packet(10))
  p.push(2, 20, packet(20))
  await clock.advance(10)
  const out = samples(sink.bytes)
  assert.equal(out.slice(0, 10), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
  // Concealed as a lost packet is on UDP (the audio continued, src/jitter/concealment.ts), not the real frames 11..20.
  assert.not.equal(out.slice(10, 20), [11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
  assert.equal(out.slice(20, 30), [21, 22, 23, 24, 25, 26, 27, 28, 29, 30])
  assert.equal([p.stats.packetsLate, p.stats.framesConcealed, p.stats.underruns], [1, 10, 1])
  const late = p.latenessNow()
  assert.is(late.share, 0, 'nothing judged before the first window ends')
  await clock.advance(1000)
  p.push(3, 1030, packet(1030))
  const judged = p.latenessNow()
  assert.ok(judged.share > 0 && judged.worstMs > 0, 'the late packet is in the window')
})

test('a sink with a lead (a card queue) is handed each packet that much before its time', async () => {
  const { clock, sink, p } = setup({ lead: 5 })
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 30, anchorPos: 0, msPerFrame: 1 })
  p.push(0, 0, packet(0))
  p.push(1, 10, packet(10))
  await clock.advance(40)
  assert.equal(
    sink.writes.map((w) => [w.at, w.dueMs]),
    [
      [25, 30],
      [35, 40],
    ],
  )
})

test('a recording sink (not real time) ignores the schedule: every frame, at the old latency, nothing concealed on TCP', async () => {
  const { clock, sink, p } = setup({ realtime: false })
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 5, anchorPos: 0, msPerFrame: 1 })
  p.push(0, 0, packet(0))
  await clock.advance(100)
  p.push(1, 10, packet(10))
  await clock.advance(100)
  assert.equal(
    samples(sink.bytes),
    Array.from({ length: 20 }, (_, i) => i + 1),
  )
  assert.is(p.onShowClock, false)
  assert.ok(sink.writes.every((w) => w.dueMs === undefined))
})

test('nextDueMs: when the next packet is due (what a playout thread sleeps until)', async () => {
  const { clock, p } = setup({ lead: 2 })
  assert.is(p.nextDueMs(), undefined)
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 30, anchorPos: 0, msPerFrame: 1 })
  p.push(0, 0, packet(0))
  assert.is(p.nextDueMs(), 28)
  // The in-thread timer ticks every 5 ms here (half a packet): by 31 the first packet is out.
  await clock.advance(31)
  assert.is(p.nextDueMs(), 38)
})

test('a source that pauses: concealed through the pause, then the re-anchored clock rewinds the read position and the new audio plays', async () => {
  const { clock, sink, p } = setup({ lossy: true })
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 10, anchorPos: 0, msPerFrame: 1 })
  p.push(0, 0, packet(0))
  await clock.advance(200)
  // Nothing came for 190 ms: concealed on time, the read position ran on to 200.
  assert.ok(p.stats.framesConcealed >= 180)
  // The source is back: position 10 now leaves at 230 (the server re-anchored its timeline).
  p.setShowSchedule({ anchorLocalMs: 230, anchorPos: 10, msPerFrame: 1 })
  assert.is(p.rewinds, 1)
  p.push(1, 10, packet(10))
  p.push(2, 20, packet(20))
  await clock.advance(50)
  const out = samples(sink.bytes)
  const at = out.indexOf(11)
  assert.ok(at > 0, 'the audio after the pause is played')
  assert.equal(
    out.slice(at, at + 20),
    Array.from({ length: 20 }, (_, i) => i + 11),
  )
  assert.is(p.stats.packetsLate, 0, 'nothing dropped as late')
})

/** A sink that holds frames until their time (a card's device host): it takes them `ahead` ms early. */
class HoldingSink extends TimedSink {
  constructor(
    clock: ManualClock,
    private readonly ahead: number,
  ) {
    super(clock, true, 2)
  }
  aheadMs(_packetFrames: number, latencyMs: number): number {
    return Math.min(this.ahead, latencyMs)
  }
}

test('a sink that holds frames until their time gets what is here and in order at once, with each due time; a gap waits for its time and is concealed then', async () => {
  const clock = new ManualClock()
  const sink = new HoldingSink(clock, 50)
  const p = new Playout({ format: FORMAT, latencyMs: 40, sink, clock, lossy: true })
  p.startAt(0)
  p.setShowSchedule({ anchorLocalMs: 100, anchorPos: 0, msPerFrame: 1 })
  // Packets 0, 1 and 3 arrive at 70 ms (2 is lost): 0 and 1 are due at 100 and 110.
  await clock.advance(70)
  for (const k of [0, 1, 3]) p.push(k, k * 10, packet(k * 10))
  // The playout's next tick (every 5 ms at these 10 ms packets).
  await clock.advance(5)
  assert.equal(
    sink.writes.map((w) => [w.at, w.dueMs]),
    [
      [75, 100],
      [75, 110],
    ],
    'handed over on arrival, up to the latency ahead, and not past the gap',
  )
  // The gap is concealed at the first tick past its due time less the sink's lead (118 ms), and what follows goes with it.
  await clock.advance(40)
  assert.is(sink.writes.length, 2, 'the gap holds back what follows it until its time')
  await clock.advance(5)
  assert.equal(
    sink.writes.slice(2).map((w) => [w.at, w.dueMs]),
    [
      [120, 120],
      [120, 130],
    ],
  )
  assert.is(p.stats.framesConcealed, 10)
  assert.is(p.rewinds, 0, 'what went ahead is not taken for a source that paused')
})

test.run()
