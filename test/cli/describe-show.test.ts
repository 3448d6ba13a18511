// The server's human lines, each from the event --json prints.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeShowEvent, describeShowStats } from '../../src/cli/describe-show.js'
import type { ServerStats } from '../../src/session/stats.js'
import type { ShowEvent } from '../../src/session/events.js'

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

test('the stats line: rigs, their transport and losses, MIDI when the show has any', () => {
  const stats = {
    phase: 'streaming',
    uptimeMs: 10_000,
    position: 0,
    packetsBroadcast: 3750,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 4, messagesOut: 1, invalidBytes: 0, expired: 0, released: 0 },
    rigs: [
      { name: 'a', transport: 'udp', rttMs: 1, framesDropped: 0, heard: { packetsLost: 2, framesConcealed: 256 } },
      { name: 'b', transport: 'tcp', rttMs: null, framesDropped: 3 },
    ],
  } as unknown as ServerStats
  assert.is(
    describeShowStats(stats, false),
    '10 s: 2 rig(s), 3750 packets sent; a on udp, rtt 1 ms, dropped 0, lost 2, concealed 256; b on tcp, rtt - ms, dropped 3',
  )
  assert.match(describeShowStats(stats, true), /^10 s: 2 rig\(s\), 3750 packets sent, MIDI 4 in \/ 1 out; a on udp/)
})

test.run()
