// A rig's human lines, each from the event --json prints.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeRigEvent, describeRigStats } from '../../src/cli/describe-rig.js'
import type { RigStats } from '../../src/session/stats.js'
import type { RigEvent } from '../../src/session/events.js'

// Fixtures carry only the fields a line reads (a whole event is checked in test/session/events.test.ts).
const LINES: Array<[Record<string, unknown> & { event: string }, string | null]> = [
  [
    {
      event: 'handshake',
      server: 'foh',
      rate: 48000,
      channels: 2,
      format: 's16le',
      frames: 128,
      sessionId: 1,
      host: '10.0.0.5',
      port: 7400,
      name: 'left',
      sink: 'wav take.wav',
    },
    'joined foh at 10.0.0.5:7400 as left: 48000 Hz, 2 ch, s16le, 128 frames/packet; sink wav take.wav',
  ],
  [{ event: 'init', position: 4800, latencyMs: 20 }, 'INIT: playing from position 4800, 20 ms behind'],
  [{ event: 'terminate', reason: 'end of source', code: 'end-of-source' }, 'TERMINATE: end of source'],
  [{ event: 'silent', silentMs: 1500, timeoutMs: 3000 }, 'the server has been silent for 1.5 s (giving up after 3.0 s)'],
  [{ event: 'recovered', silentMs: 1250 }, 'the server is back after 1.3 s'],
  [{ event: 'switch', to: 'udp' }, 'the server asks this rig to move to udp'],
  [{ event: 'switched', from: 'tcp', to: 'udp' }, 'moved from tcp to udp'],
  [{ event: 'switch-failed', to: 'udp', reason: 'no answer', transport: 'tcp' }, 'staying on tcp: no answer'],
  [{ event: 'device-fault', reason: 'card gone' }, 'device fault: card gone; the session goes on'],
  [{ event: 'device-restored', description: 'card back' }, 'card back'],
  [{ event: 'device-started', description: 'playing on hw:0' }, 'playing on hw:0'],
  [{ event: 'retrying', reason: 'connection refused', stage: 'connect' }, 'retrying in 1 s: connection refused'],
  [{ event: 'retrying', reason: 'lost the server', stage: 'session' }, 'lost the server; rejoining in 1 s (--retry)'],
  [
    { event: 'summary', ok: true, reason: 'end of source', code: 'end-of-source', sessions: 1, framesPlayed: 48000, underruns: 0 },
    'done: end of source; played 48000 frames, 0 underruns',
  ],
  [{ event: 'stats' }, null],
  [{ event: 'something-new' }, null],
]

for (const [event, line] of LINES) {
  test(`${event.event}: ${line ?? '(no line)'}`, () => assert.is(describeRigEvent(event as RigEvent), line))
}

test('a MIDI log event reads as the message', () => {
  assert.match(describeRigEvent({ event: 'midi', data: [0x90, 60, 100], position: 0 })!, /^midi note-on/)
})

test('the stats line', () => {
  const stats = {
    transport: 'udp',
    framesPlayed: 480_000,
    bufferMs: 21,
    jitterMs: 0.4,
    underruns: 1,
    packetsLost: 2,
    framesConcealed: 256,
    rttMs: null,
  } as unknown as RigStats
  assert.is(
    describeRigStats(stats),
    'udp: played 480k frames, buffer 21 ms, jitter 0.4 ms, underruns 1, lost 2, concealed 256 frames, rtt - ms',
  )
})

test.run()
