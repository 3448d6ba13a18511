// The event schemas: what they accept and how they say what they refuse.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkEvent, RigEventSchema, ShowEventSchema } from '../../src/session/events.js'

const rigReport = {
  name: 'a',
  remote: '127.0.0.1:5000',
  phase: 'streaming',
  transport: 'udp',
  switchingTo: null,
  rttMs: 0.4,
  framesSent: 128,
  bytesSent: 512,
  framesDropped: 0,
  queuedBytes: 0,
  retransmits: 0,
  heard: null,
  midiIn: 0,
  muted: false,
  silentMs: 3,
  sync: null,
}

test('a show event as the server prints it matches; the parsed value is the same object', () => {
  const left = { event: 'left', name: 'a', remote: '127.0.0.1:5000', reason: 'the rig left' }
  assert.is(checkEvent('show', left), null)
  assert.equal(ShowEventSchema.parse(left), left)
})

test('stats with a rig and its receiver report match', () => {
  const stats = {
    event: 'stats',
    phase: 'streaming',
    uptimeMs: 1000,
    position: 48000,
    showLatencyMs: 20,
    packetsBroadcast: 375,
    levels: { peakDb: [-12, -12], rmsDb: [-15, -15] },
    midi: { messagesIn: 0, messagesOut: 0, invalidBytes: 0, expired: 0, released: 0 },
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0.6 },
    rigs: [
      {
        ...rigReport,
        heard: {
          packetsReceived: 1,
          packetsLost: 0,
          packetsLate: 0,
          packetsRecovered: 0,
          framesConcealed: 0,
          underruns: 0,
          jitterMs: 0.1,
          bufferMs: 5,
          midiReceived: 0,
          midiLost: 0,
        },
      },
    ],
    udpStrangerDatagrams: 0,
    device: null,
  }
  assert.is(checkEvent('show', stats), null)
})

test("a rig's sync on the server, and the sync notice: each field checked", () => {
  const sync = { state: 'late', errorMs: 0.3, lateMs: 2.5, latencyMs: 25, offsetMs: -1, outOfStepMs: 4 }
  const stats = {
    event: 'stats',
    phase: 'streaming',
    uptimeMs: 1,
    position: 1,
    showLatencyMs: 20,
    packetsBroadcast: 1,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 0, messagesOut: 0, invalidBytes: 0, expired: 0, released: 0 },
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0.6 },
    rigs: [{ ...rigReport, sync }],
    udpStrangerDatagrams: 0,
    device: null,
  }
  assert.is(checkEvent('show', stats), null)
  assert.match(checkEvent('show', { ...stats, rigs: [{ ...rigReport, sync: { ...sync, state: 'early' } }] })!, /rigs\.0\.sync\.state: /)
  // A capture card's figures (serve --source device).
  const device = { conversion: '48000 Hz f32le -> 48000 Hz s16le (converted by Synchro)', samplesChanged: 0, reopens: 0, fault: null }
  assert.is(checkEvent('show', { ...stats, device }), null)
  assert.match(checkEvent('show', { ...stats, device: { ...device, samplesChanged: -1 } })!, /device\.samplesChanged: /)
  const { showLatencyMs: _, ...noLatency } = stats
  assert.match(checkEvent('show', noLatency)!, /^show event 'stats': showLatencyMs: /)
  assert.match(checkEvent('show', { ...stats, timeline: { sourceDriftPpm: 0, steps: 0 } })!, /^show event 'stats': timeline\.readLagMs: /)
  const notice = { event: 'sync', name: 'a', from: 'in-time', ...sync }
  assert.is(checkEvent('show', notice), null)
  assert.equal(ShowEventSchema.parse(notice), notice)
  const { outOfStepMs: __, ...partial } = notice
  assert.match(checkEvent('show', partial)!, /^show event 'sync': outOfStepMs: /)
  assert.match(checkEvent('show', { ...notice, from: 'late-ish' })!, /^show event 'sync': from: /)
})

test('a field the document does not list is refused, naming the event and the field', () => {
  assert.is(
    checkEvent('show', { event: 'muted', name: 'a', muted: true, extra: 1 }),
    `show event 'muted': (top): Unrecognized key: "extra"`,
  )
})

test('a missing or mistyped field is refused with its path', () => {
  assert.match(checkEvent('show', { event: 'muted', name: 'a' })!, /^show event 'muted': muted: /)
  const bad = {
    event: 'stats',
    phase: 'x',
    uptimeMs: 1,
    position: 1,
    showLatencyMs: 20,
    packetsBroadcast: 1,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 0, messagesOut: 0, invalidBytes: 0, expired: 0, released: 0 },
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0.6 },
    rigs: [{ ...rigReport, muted: 'no' }],
    udpStrangerDatagrams: 0,
    device: null,
  }
  assert.match(checkEvent('show', bad)!, /^show event 'stats': rigs\.0\.muted: /)
})

test('an event of the other side, or of no side, is refused', () => {
  assert.match(checkEvent('rig', { event: 'listening' })!, /^rig event 'listening': event: /)
  assert.match(checkEvent('show', { nothing: true })!, /^show event '\?': /)
  assert.match(checkEvent('rig', 'text')!, /^rig event '\?': /)
})

test('control answers: ok with a message (and status), or refused with an error', () => {
  assert.is(checkEvent('show', { event: 'control', ok: true, command: 'init', message: 'INIT sent' }), null)
  assert.is(checkEvent('show', { event: 'control', ok: false, command: 'bogus', error: 'unknown command' }), null)
  assert.ok(checkEvent('show', { event: 'control', ok: false, command: 'bogus', message: 'x' }))
})

test('the rig side: handshake and a summary with the rig figures', () => {
  assert.is(
    checkEvent('rig', {
      event: 'handshake',
      server: 's',
      rate: 48000,
      channels: 2,
      format: 's16le',
      frames: 128,
      sessionId: 7,
      host: '10.0.0.5',
      port: 7400,
      name: 'left',
      sink: 'null (discard)',
    }),
    null,
  )
  const figures = {
    framesReceived: 0,
    framesPlayed: 0,
    framesConcealed: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsLate: 0,
    packetsDuplicate: 0,
    underruns: 0,
    latencyTrims: 0,
    jitterMs: 0,
    bufferMs: 0,
    depthMs: 0,
    phase: 'ended',
    transport: 'tcp',
    rttMs: null,
    packetsRecovered: 0,
    switches: 0,
    midi: { received: 0, out: 0, lost: 0, late: 0, duplicates: 0, released: 0, sent: 0 },
    device: null,
    clock: { offsetMs: -12.5, rttMs: 0.12, driftPpm: 3.2, errorMs: 0.06, samples: 9, steps: 0 },
    sync: { state: 'in-time', errorMs: 0.06, lateMs: 0, latencyMs: 20, offsetMs: 0, showLatencyMs: 20 },
  }
  const summary = { event: 'summary', ok: true, reason: 'done', code: 'end-of-source', sessions: 1, ...figures }
  assert.is(checkEvent('rig', summary), null)
  assert.equal(RigEventSchema.parse(summary), summary)
})

test.run()
