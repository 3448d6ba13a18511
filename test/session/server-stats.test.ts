// The server's figures from the machine's rig entries, the registry's counters and the
// MIDI hub: one rig's report, the show's stats, the end-of-show summary.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import { encodePingPong } from '../../src/codec/messages.js'
import type { PeerCounters } from '../../src/session/peer-registry.js'
import { rigReport, serverMidiStats, ServerTally } from '../../src/session/server-stats.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { SESSION, ServerDriver, frameFrom, serverConfig } from '../helpers/session.js'

const COUNTERS: PeerCounters = { framesSent: 40, bytesSent: 4000, framesDropped: 1, queuedBytes: 512, retransmits: 3 }
const MIDI = { messagesIn: 5, messagesOut: 6, invalidBytes: 7, expired: 8, released: 9 }

/** A show with rig 'a' streaming (peer 1, rtt 12.3456 ms) and a connection in handshake (peer 2). */
function show() {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  s.send({ type: 'tick' }, 1000) // PING at 1000
  s.send({ type: 'frame', peer: 1, bytes: encodePingPong(MSG.PONG, 1000 - 0.0456, { sessionId: SESSION }) }, 1012.3)
  s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 2, remote: 'r2' }, 1100)
  return s
}

test("a rig's report: its entry, its counters and MIDI, rtt to 0.01 ms, silence since last heard", () => {
  const rig = show().state.rigs.get(1)!
  assert.equal(rigReport(rig, COUNTERS, 4, 1500.4, 20), {
    name: 'a',
    remote: 'r1',
    phase: 'streaming',
    transport: 'memory',
    switchingTo: null,
    rttMs: 12.35,
    framesSent: 40,
    bytesSent: 4000,
    framesDropped: 1,
    queuedBytes: 512,
    retransmits: 3,
    heard: null,
    muted: false,
    silentMs: 488,
    midiIn: 4,
    sync: null,
  })
})

test('a connection in handshake is named by its address, with no rtt yet', () => {
  const conn = show().state.rigs.get(2)!
  const r = rigReport(conn, COUNTERS, 0, 1000, 20)
  assert.equal([r.name, r.phase, r.rttMs, r.silentMs, r.sync], ['r2', 'handshake', null, 0, null], 'silence is never negative')
})

const REPORT = {
  packetsReceived: 10,
  packetsLost: 0,
  packetsLate: 0,
  packetsRecovered: 0,
  framesConcealed: 0,
  underruns: 0,
  jitterMs: 0.1,
  bufferMs: 2,
  midiReceived: 0,
  midiLost: 0,
}

test("a rig's sync: its REPORT's, and how far it plays from the show's latency; null from a rig that does not say", () => {
  const s = show()
  const sync = { state: 'late' as const, errorMs: 0.3, lateMs: 1.25, latencyMs: 25, offsetMs: -2.5 }
  s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.REPORT, { ...REPORT, sync }) }, 1200)
  const rig = s.state.rigs.get(1)!
  // (25 − 20) + (−2.5): this rig plays 2.5 ms behind the show, on purpose.
  assert.equal(rigReport(rig, COUNTERS, 0, 1200, 20).sync, { ...sync, outOfStepMs: 2.5 })
  assert.is(rigReport(rig, COUNTERS, 0, 1200, 22.5).sync!.outOfStepMs, 0, 'own latency and offset cancel: in step')
  s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.REPORT, REPORT) }, 1300) // an older rig: no sync
  assert.is(rigReport(s.state.rigs.get(1)!, COUNTERS, 0, 1300, 20).sync, null)
  assert.is(rigReport(s.state.rigs.get(1)!, COUNTERS, 0, 1300, 20).heard!.sync, null)
})

test("serverMidiStats takes the server's share of the hub's figures", () => {
  assert.equal(serverMidiStats({ ...MIDI, received: 1, lost: 2, late: 4, duplicates: 3 }), MIDI)
})

test('the tally: rigs joined, departed rigs kept as left, the end reason, times since the runner started', async () => {
  const clock = new ManualClock()
  await clock.advance(250)
  const tally = new ServerTally({ clock, counters: () => COUNTERS, midiIn: (rig) => rig.peer * 10, showLatencyMs: 5 })
  const s = show()
  tally.noticed({ event: 'joined', name: 'a', remote: 'r1', late: false, meta: {} })
  tally.noticed({ event: 'muted', name: 'a', muted: true })
  await clock.advance(1000)
  const levels = { peakDb: [-6, -7], rmsDb: [-12, -13] }
  const timeline = { sourceDriftPpm: -12.5, steps: 1, readLagMs: 0.6 }
  const stats = tally.stats(s.state, { packetsBroadcast: 11, levels, midi: MIDI, timeline })
  assert.equal(
    [stats.phase, stats.uptimeMs, stats.position, stats.showLatencyMs, stats.packetsBroadcast, stats.levels, stats.midi, stats.timeline],
    ['streaming', 1000, 0, 5, 11, levels, MIDI, timeline],
  )
  assert.equal(
    stats.rigs.map((r) => [r.name, r.phase, r.midiIn]),
    [
      ['a', 'streaming', 10],
      ['r2', 'handshake', 20],
    ],
  )
  tally.depart(s.state.rigs.get(2)) // never joined: nothing to keep
  tally.depart(undefined)
  tally.depart(s.state.rigs.get(1))
  tally.noticed({ event: 'terminate', reason: 'end of source', code: 'end-of-source' })
  await clock.advance(500)
  const summary = tally.summary({ packetsBroadcast: 11, framesBroadcast: 1408, midi: MIDI })
  assert.equal(
    { ...summary, rigs: summary.rigs.map((r) => [r.name, r.phase, r.bytesSent]) },
    {
      reason: 'end of source',
      code: 'end-of-source',
      durationMs: 1500,
      packetsBroadcast: 11,
      framesBroadcast: 1408,
      rigsJoined: 1,
      midi: MIDI,
      rigs: [['a', 'left', 4000]],
    },
  )
})

test.run()
