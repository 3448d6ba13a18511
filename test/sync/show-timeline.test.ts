// The server's show timeline: the lower envelope of (ready time - position / rate), followed
// through drift and re-anchored when the source slips; published on change, at most 20 a
// second, at least once a second.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { REPUBLISH_EVERY_MS, ShowTimeline, SLIP_MS } from '../../src/sync/show-timeline.js'
import type { Timeline } from '../../src/codec/messages.js'

const RATE = 48000
const PACKET = 128
const PACKET_MS = (PACKET * 1000) / RATE

/** Where a timeline puts position `p` on the server clock. */
const serverMsOf = (t: Timeline, p: number) => t.serverMs + (((p - t.position) * 1000) / RATE) * (1 + t.driftPpm / 1e6)

/** Feeds `seconds` of packets ready at `startMs + k * packetMs * stretch + late(k)`; returns every published timeline. */
function run(
  tl: ShowTimeline,
  seconds: number,
  o: { startMs?: number; stretch?: number; late?: (k: number) => number; fromPacket?: number } = {},
) {
  const out: Array<{ at: number; t: Timeline }> = []
  const n = Math.round((seconds * 1000) / PACKET_MS)
  const k0 = o.fromPacket ?? 0
  for (let k = k0; k < k0 + n; k++) {
    const at = (o.startMs ?? 100) + k * PACKET_MS * (o.stretch ?? 1) + (o.late?.(k) ?? 0)
    const t = tl.observe(k * PACKET, at)
    if (t) out.push({ at, t })
  }
  return out
}

test('a steady source: position P at its ready time, published once and then once a second', () => {
  const tl = new ShowTimeline(RATE)
  const out = run(tl, 5)
  assert.ok(out.length >= 5 && out.length <= 7, `${out.length} publications in 5 s`)
  for (const { t } of out) assert.ok(Math.abs(serverMsOf(t, 0) - 100) < 1e-6, 'position 0 at 100 ms')
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.at - out[i - 1]!.at >= REPUBLISH_EVERY_MS - PACKET_MS)
})

test('stalls (a packet read late, then a burst) do not move the timeline', () => {
  const tl = new ShowTimeline(RATE)
  // Every 50th packet 22 ms late (a GC pause), the next few catching up.
  const out = run(tl, 6, { late: (k) => (k > 0 && k % 50 < 5 ? 22 - (k % 50) * 5 : 0) })
  for (const { t } of out) assert.ok(Math.abs(serverMsOf(t, 0) - 100) < 1e-6, `stall moved it: ${serverMsOf(t, 0)}`)
})

test('the typical lag is the median lateness against the envelope over the last window, stalls and all', () => {
  const tl = new ShowTimeline(RATE)
  assert.is(tl.typicalLagMs, 0, 'nothing before a window is complete')
  // Every packet 0.6 ms late but one in ten on time (the envelope), and a 22 ms stall every 50th.
  run(tl, 3, { late: (k) => (k % 50 === 25 ? 22 : k % 10 === 0 ? 0 : 0.6) })
  assert.ok(Math.abs(tl.typicalLagMs - 0.6) < 1e-9, `typical lag ${tl.typicalLagMs}`)
  // The path calms down: within a window or two the lag follows.
  run(tl, 3, { fromPacket: Math.round(3000 / PACKET_MS), late: () => 0 })
  assert.ok(Math.abs(tl.typicalLagMs) < 1e-9, `typical lag after calm ${tl.typicalLagMs}`)
})

test('a source 200 ppm slow is followed: the fitted drift stretches each frame, and the envelope tracks it', () => {
  const tl = new ShowTimeline(RATE)
  const out = run(tl, 20, { stretch: 1 + 200e-6 })
  const last = out.at(-1)!.t
  assert.ok(Math.abs(last.driftPpm - 200) < 20, `drift ${last.driftPpm} ppm`)
  assert.ok(Math.abs(tl.sourceDriftPpm + 200) < 20, 'reported as the source running slow')
  // Where it puts the last packet: within a window's worth of drift (0.2 ms) of its true time.
  const k = Math.round(20000 / PACKET_MS) - 1
  const truth = 100 + k * PACKET_MS * (1 + 200e-6)
  assert.ok(Math.abs(serverMsOf(last, k * PACKET) - truth) < 0.25, `${serverMsOf(last, k * PACKET) - truth} ms off`)
})

test('a source running fast is followed at once (every packet earlier than the envelope)', () => {
  const tl = new ShowTimeline(RATE)
  const out = run(tl, 3, { stretch: 1 - 300e-6 })
  const k = Math.round(3000 / PACKET_MS) - 1
  const truth = 100 + k * PACKET_MS * (1 - 300e-6)
  assert.ok(Math.abs(serverMsOf(out.at(-1)!.t, k * PACKET) - truth) < 0.1)
})

test('a source that pauses and comes back re-anchors within SLIP_WINDOW_MS, counted as a step', () => {
  const tl = new ShowTimeline(RATE)
  run(tl, 2)
  const k0 = Math.round(2000 / PACKET_MS)
  // The writer paused 500 ms: the rest comes that much later.
  const out = run(tl, 1, { fromPacket: k0, late: () => 500 })
  assert.is(tl.steps, 1)
  const after = out.at(-1)!.t
  assert.ok(Math.abs(serverMsOf(after, 0) - 600) < 1e-6, `re-anchored at ${serverMsOf(after, 0)}`)
  assert.ok(SLIP_MS < 500)
})

test('one long server stall is not a slip: the burst behind it catches up', () => {
  const tl = new ShowTimeline(RATE)
  run(tl, 2)
  const k0 = Math.round(2000 / PACKET_MS)
  // 300 ms with nothing read, then the backlog at once, then on time again.
  const stallPackets = Math.round(300 / PACKET_MS)
  const stallEndMs = 100 + (k0 + stallPackets) * PACKET_MS
  run(tl, 2, { fromPacket: k0, late: (k) => Math.max(0, stallEndMs - (100 + k * PACKET_MS)) })
  assert.is(tl.steps, 0)
  assert.ok(Math.abs(serverMsOf(tl.current!, 0) - 100) < 1e-6)
})

test('small moves are published at most every 50 ms; nothing before the first packet', () => {
  const tl = new ShowTimeline(RATE)
  assert.is(tl.current, null)
  // Ready times that keep getting 0.1 ms earlier: each packet lowers the envelope.
  const out = run(tl, 1, { late: (k) => Math.max(0, 30 - k * 0.1) })
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.at - out[i - 1]!.at >= 50 - 1e-9, 'at most 20 a second')
  assert.equal(tl.current, out.at(-1)!.t)
})

test.run()
