// The server's human lines, each from the event --json prints.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeShowEvent, describeShowStats } from '../../src/cli/describe-show.js'
import type { ServerStats } from '../../src/session/stats.js'
import type { ShowEvent } from '../../src/session/events.js'

const IN_TIME = { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 }
const format = { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }

// Fixtures carry only the fields a line reads (a whole event is checked in test/session/events.test.ts).
const LINES: Array<[Record<string, unknown> & { event: string }, string | null]> = [
  [
    {
      event: 'listening',
      transport: 'udp',
      host: '0.0.0.0',
      port: 7400,
      format,
      mtu: 1500,
      redundancy: 0,
      source: 'tone 440 Hz',
      midi: [],
      clients: 1,
    },
    'listening on udp 0.0.0.0:7400; source tone 440 Hz; 48000 Hz, 2 ch, s16le, 128 frames/packet; waiting for 1 rig',
  ],
  [
    {
      event: 'listening',
      transport: 'tcp',
      host: '::',
      port: 1,
      format,
      mtu: 1500,
      redundancy: 0,
      source: 'none',
      midi: ['file a.mid', 'log'],
      clients: 2,
    },
    'listening on tcp :::1; source none; 48000 Hz, 2 ch, s16le, 128 frames/packet; waiting for 2 rigs; file a.mid; log',
  ],
  [
    {
      event: 'listening',
      transport: 'tcp',
      host: '::',
      port: 1,
      format,
      mtu: 1500,
      redundancy: 0,
      source: 'a.wav (8000 Hz, 1 ch, s16le, 3.2 s)',
      conversion: '8-bit unsigned -> s16le (lossless)',
      warnings: ['a.wav: data chunk says 10.0 s, the file holds 3.2 s: playing 3.2 s (the file was cut short)'],
      midi: [],
      clients: 1,
    },
    'listening on tcp :::1; source a.wav (8000 Hz, 1 ch, s16le, 3.2 s) (8-bit unsigned -> s16le (lossless)) ' +
      '(a.wav: data chunk says 10.0 s, the file holds 3.2 s: playing 3.2 s (the file was cut short)); ' +
      '48000 Hz, 2 ch, s16le, 128 frames/packet; waiting for 1 rig',
  ],
  [{ event: 'joined', name: 'left', remote: '10.0.0.2:5000', late: false, meta: {} }, 'rig left joined from 10.0.0.2:5000'],
  [{ event: 'joined', name: 'left', remote: 'r', late: true, meta: {} }, 'rig left joined from r (late: playing from the live position)'],
  [{ event: 'left', name: 'left', remote: 'r', reason: 'gone' }, 'rig left left: gone'],
  [{ event: 'rejected', remote: 'r', reason: 'bad' }, 'refused r: bad'],
  [{ event: 'init', rigs: ['a'], position: 0 }, 'INIT: streaming to 1 rig (a)'],
  [{ event: 'init', rigs: ['a', 'b'], position: 0 }, 'INIT: streaming to 2 rigs (a, b)'],
  [{ event: 'terminate', reason: 'end of source', code: 'end-of-source' }, 'TERMINATE: end of source'],
  [{ event: 'switch', to: 'udp', rigs: [] }, 'switching the show to udp: no rig needs to move'],
  [{ event: 'switch', to: 'udp', rigs: ['a', 'b'] }, 'switching the show to udp: a, b'],
  [{ event: 'switched', name: 'a', from: 'tcp', to: 'udp', remote: 'r' }, 'rig a moved from tcp to udp (r)'],
  [{ event: 'switch-failed', name: 'a', to: 'udp', reason: 'no answer' }, 'rig a stays where it is: no answer'],
  [{ event: 'muted', name: 'a', muted: true }, 'rig a muted (it gets silence; MIDI goes on)'],
  [{ event: 'muted', name: 'a', muted: false }, 'rig a unmuted'],
  [
    { event: 'sync', name: 'b', from: 'in-time', state: 'late', errorMs: 0.2, lateMs: 3.21, latencyMs: 2, offsetMs: 0, outOfStepMs: 0 },
    'rig b late by 3.2 ms: its audio arrives after its play time and is concealed (the path is slower than the latency)',
  ],
  [
    { event: 'sync', name: 'b', from: 'late', state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 2, offsetMs: 0, outOfStepMs: 0 },
    'rig b back in time',
  ],
  [
    { event: 'sync', name: 'c', from: 'no-clock', state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 },
    'rig c in time on the show clock',
  ],
  [
    { event: 'sync', name: 'd', from: 'no-clock', state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 25, offsetMs: 2, outOfStepMs: 7 },
    'rig d in time on the show clock; out of step by +7 ms (own latency 25 ms, offset +2 ms)',
  ],
  [
    { event: 'sync', name: 'e', from: 'no-clock', state: 'late', errorMs: 0.2, lateMs: 1, latencyMs: 2, offsetMs: 0, outOfStepMs: -18 },
    'rig e late by 1 ms: its audio arrives after its play time and is concealed (the path is slower than the latency); out of step by -18 ms (own latency 2 ms)',
  ],
  [
    { event: 'sync', name: 'b', from: 'late', state: 'no-clock', errorMs: null, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 },
    "rig b lost the show clock: it is not on the show's time until it has one again",
  ],
  [{ event: 'device-fault', reason: 'card gone' }, 'device fault: card gone; the show goes on in silence'],
  [{ event: 'device-restored', description: 'card back' }, 'card back'],
  [{ event: 'control', ok: true, command: 'init', message: 'INIT sent' }, '> INIT sent'],
  [{ event: 'control', ok: false, command: 'x', error: 'unknown' }, '? unknown'],
  [
    {
      event: 'summary',
      reason: 'end of source',
      code: 'end-of-source',
      durationMs: 1,
      packetsBroadcast: 375,
      framesBroadcast: 48000,
      rigsJoined: 2,
      rateHz: 48000,
    },
    'done: end of source; 375 packets (1.0 s of audio) to 2 rig(s)',
  ],
  [{ event: 'stats' }, null],
  [{ event: 'something-new' }, null],
]

for (const [event, line] of LINES) {
  test(`${event.event}: ${line ?? '(no line)'}`, () => {
    assert.is(describeShowEvent(event as ShowEvent), line)
  })
}

test('a MIDI log event reads as the message', () => {
  assert.match(describeShowEvent({ event: 'midi', data: [0x90, 60, 100], position: 0 })!, /^midi note-on/)
})

test('the stats line: rigs, their transport and losses, MIDI when the show has any, a rig off the show time by name', () => {
  const stats = {
    phase: 'streaming',
    uptimeMs: 10_000,
    position: 0,
    packetsBroadcast: 3750,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 4, messagesOut: 1, invalidBytes: 0, expired: 0, released: 0 },
    showLatencyMs: 20,
    rigs: [
      { name: 'a', transport: 'udp', rttMs: 1, framesDropped: 0, heard: { packetsLost: 2, framesConcealed: 256 }, sync: IN_TIME },
      { name: 'b', transport: 'tcp', rttMs: null, framesDropped: 3, sync: null },
    ],
  } as unknown as ServerStats
  assert.is(
    describeShowStats(stats, false),
    '10 s: 2 rig(s), 3750 packets sent; a on udp, rtt 1 ms, dropped 0, lost 2, concealed 256; b on tcp, rtt - ms, dropped 3',
  )
  assert.match(describeShowStats(stats, true), /^10 s: 2 rig\(s\), 3750 packets sent, MIDI 4 in \/ 1 out; a on udp/)
  const off = {
    ...stats,
    rigs: [
      { name: 'a', transport: 'udp', rttMs: 1, framesDropped: 0, sync: { ...IN_TIME, state: 'late', lateMs: 4.5 } },
      { name: 'b', transport: 'tcp', rttMs: 1, framesDropped: 0, sync: { ...IN_TIME, state: 'no-clock', errorMs: null } },
      { name: 'c', transport: 'tcp', rttMs: 1, framesDropped: 0, sync: { ...IN_TIME, offsetMs: 3, outOfStepMs: 3 } },
      { name: 'd', transport: 'tcp', rttMs: 1, framesDropped: 0, sync: IN_TIME },
    ],
  } as unknown as ServerStats
  assert.is(
    describeShowStats(off, false),
    '10 s: 4 rig(s), 3750 packets sent; a on udp, rtt 1 ms, dropped 0, late by 4.5 ms; b on tcp, rtt 1 ms, dropped 0, no clock yet; ' +
      'c on tcp, rtt 1 ms, dropped 0, out of step by +3 ms (offset +3 ms); d on tcp, rtt 1 ms, dropped 0',
  )
})

test.run()
