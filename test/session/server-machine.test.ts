import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  encodeTime,
  encodeTimeline,
  readTime,
  MEDIA_MAX_PAYLOAD,
} from '../../src/codec/messages.js'
import { FrameError } from '../../src/errors.js'
import { encodeMidiAck, encodeMidiFrame } from '../../src/codec/midi.js'
import { refusalOf, type ServerEffect } from '../../src/session/server-machine.js'
import {
  FORMAT,
  SESSION,
  ServerDriver,
  frameFrom,
  helloReply,
  kinds,
  ping,
  sentControl,
  sentTerminate,
  serverConfig,
} from '../helpers/session.js'

const notices = (fx: ServerEffect[]) => fx.flatMap((f) => (f.kind === 'notify' ? [f.notice] : []))

test('a connecting rig is sent HELLO with the show format and frame limit', () => {
  const s = new ServerDriver(serverConfig())
  const fx = s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 1, remote: 'r1' }, 0)
  assert.equal(kinds(fx), ['send'])
  const hello = sentControl(fx[0]!)
  assert.is(hello.type, MSG.HELLO)
  assert.equal(hello.body, { version: 1, serverName: 'test', format: FORMAT, maxPayload: 1400, pingIntervalMs: 1000 })
  assert.is(s.state.rigs.get(1)!.phase, 'handshake')
})

test('--clients 2: INIT goes out once the second rig completes the handshake', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  const first = s.join(1, 'left', 0)
  assert.equal(
    notices(first).map((n) => n.event),
    ['joined'],
  )
  assert.is(s.state.phase, 'waiting')
  const second = s.join(2, 'right', 10)
  assert.equal(kinds(second), ['notify', 'send', 'rigStreaming', 'send', 'rigStreaming', 'notify', 'startStream'])
  const inits = second.filter((f) => f.kind === 'send').map((f) => sentControl(f))
  assert.equal(
    inits.map((m) => m.type),
    [MSG.INIT, MSG.INIT],
  )
  assert.equal(notices(second)[1], { event: 'init', rigs: ['left', 'right'], position: 0 })
  assert.is(s.state.phase, 'streaming')
  assert.equal([...s.state.streamingPeers], [1, 2])
})

test('audio is encoded once and broadcast with rising seq and timestamps', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.join(1, 'a', 0)
  s.join(2, 'b', 0)
  const pcm = new Uint8Array(128 * 4).fill(7)
  const a = s.send({ type: 'audio', pcm }, 1)
  const b = s.send({ type: 'audio', pcm }, 2)
  assert.equal(kinds(a), ['broadcast'])
  const fa = a[0] as Extract<ServerEffect, { kind: 'broadcast' }>
  const fb = b[0] as Extract<ServerEffect, { kind: 'broadcast' }>
  assert.equal([...fa.peers], [1, 2])
  const ha = decodeFrame(fa.frame, MEDIA_MAX_PAYLOAD).header
  const hb = decodeFrame(fb.frame, MEDIA_MAX_PAYLOAD).header
  assert.equal([ha.seq, ha.timestamp, hb.seq, hb.timestamp], [0, 0, 1, 128])
  assert.is(ha.sessionId, SESSION)
})

test('a muted rig gets the same packet in silence, in step; unmuted it gets the show again', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.join(1, 'a', 0)
  s.join(2, 'b', 0)
  const pcm = new Uint8Array(128 * 4).fill(7)
  assert.equal(notices(s.send({ type: 'mute', name: 'a', muted: true }, 1)), [{ event: 'muted', name: 'a', muted: true }])
  assert.equal(s.send({ type: 'mute', name: 'a', muted: true }, 1), [], 'muting twice changes nothing')
  const fx = s.send({ type: 'audio', pcm }, 2) as Array<Extract<ServerEffect, { kind: 'broadcast' }>>
  assert.equal(
    fx.map((f) => [[...f.peers], f.silent ?? false]),
    [
      [[2], false],
      [[1], true],
    ],
  )
  const [real, silent] = fx.map((f) => decodeFrame(f.frame, MEDIA_MAX_PAYLOAD))
  assert.equal([silent!.header.seq, silent!.header.timestamp], [real!.header.seq, real!.header.timestamp])
  assert.ok(silent!.payload.every((b) => b === 0) && silent!.payload.byteLength === pcm.byteLength)
  s.send({ type: 'mute', name: 'a', muted: false }, 3)
  assert.equal(kinds(s.send({ type: 'audio', pcm }, 4)), ['broadcast'])
  assert.equal(s.send({ type: 'mute', name: 'nobody', muted: true }, 5), [])
})

test('kick drops the named rig with TERMINATE "kicked"; the others play on', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.join(1, 'a', 0)
  s.join(2, 'b', 0)
  const fx = s.send({ type: 'kick', name: 'b' }, 1)
  assert.equal(kinds(fx), ['send', 'close', 'notify', 'rigGone'])
  assert.equal(sentTerminate(fx[0]!), { reason: 'removed from the show by the operator', code: 'kicked' })
  assert.equal([...s.state.streamingPeers], [1])
})

test('a rig joining mid-show gets INIT at once, at the live position', () => {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  for (let i = 0; i < 10; i++) s.send({ type: 'audio', pcm: new Uint8Array(512) }, i)
  s.take()
  const fx = s.join(2, 'late', 20)
  const init = fx.filter((f) => f.kind === 'send').map((f) => sentControl(f))
  assert.equal(init, [{ type: MSG.INIT, body: { position: 1280, timeline: null } }])
  assert.equal(notices(fx), [{ event: 'joined', name: 'late', remote: 'r2', late: true, meta: {} }])
  assert.equal([...s.state.streamingPeers], [1, 2])
})

test('the show position advances with no rig listening', () => {
  const s = new ServerDriver(serverConfig({ clients: 0 }))
  s.send({ type: 'init' }, 0)
  const fx = s.send({ type: 'audio', pcm: new Uint8Array(512) }, 0)
  assert.equal(fx, [])
  assert.is(s.state.position, 128)
})

test('keep-alive: PING every interval; a rig silent past 1.5 intervals is dropped with a reason', () => {
  const s = new ServerDriver(serverConfig({ pingIntervalMs: 1000 }))
  s.join(1, 'a', 0)
  s.join(2, 'b', 0)
  s.take()
  const t1 = s.send({ type: 'tick' }, 1000)
  assert.equal(
    t1.map((f) => (f.kind === 'send' ? decodeFrame(f.frame, 64).header.type : f.kind)),
    [MSG.PING, MSG.PING],
  )
  // Rig 2 answers, rig 1 stays silent.
  s.send({ type: 'frame', peer: 2, bytes: encodePingPong(MSG.PONG, 1000, { sessionId: SESSION }) }, 1010)
  assert.is(s.state.rigs.get(2)!.rttMs, 10)
  assert.equal(s.send({ type: 'tick' }, 1400), [])
  const t2 = s.send({ type: 'tick' }, 1600)
  assert.equal(kinds(t2), ['send', 'close', 'notify', 'rigGone'])
  assert.equal(sentControl(t2[0]!).body, { reason: 'timed out: nothing heard for 1.6 s', code: 'timeout' })
  assert.equal(notices(t2), [{ event: 'left', name: 'a', remote: 'r1', reason: 'timed out: nothing heard for 1.6 s' }])
  assert.equal([...s.state.streamingPeers], [2])
})

test('a connection that never answers HELLO is dropped after the handshake timeout', () => {
  const s = new ServerDriver(serverConfig({ handshakeTimeoutMs: 3000, pingIntervalMs: 10_000 }))
  s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 1, remote: 'r1' }, 0)
  s.send({ type: 'frame', peer: 1, bytes: ping(0) }, 500)
  assert.equal(
    kinds(s.send({ type: 'tick' }, 2999)).filter((k) => k === 'close'),
    [],
  )
  const fx = s.send({ type: 'tick' }, 3001)
  assert.equal(notices(fx), [{ event: 'rejected', remote: 'r1', reason: 'no HELLO_REPLY within 3.0 s' }])
  assert.is(s.state.rigs.size, 0)
})

test('an invalid HELLO_REPLY is refused with the reason, and the rig dropped', () => {
  const s = new ServerDriver(serverConfig())
  s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 1, remote: 'r1' }, 0)
  const fx = s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.HELLO_REPLY, { version: 1, name: '' }) }, 1)
  assert.equal(kinds(fx), ['send', 'close', 'notify'])
  const term = sentControl(fx[0]!)
  assert.is(term.type, MSG.TERMINATE)
  assert.equal(term.body, {
    reason: 'invalid HELLO_REPLY: name: Too small: expected string to have >=1 characters',
    code: 'protocol-error',
  })
})

test('a rig of another protocol version is refused naming both versions', () => {
  const s = new ServerDriver(serverConfig())
  s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 1, remote: 'r1' }, 0)
  const fx = s.send({ type: 'frame', peer: 1, bytes: helloReply('x', 2) }, 1)
  assert.equal(sentControl(fx[0]!).body, {
    reason: 'peer speaks Synchro protocol v2, this side speaks v1: run the same Synchro version on both',
    code: 'version-mismatch',
  })
  const bad = s.send({ type: 'badFrame', peer: 1, error: new FrameError('BAD_PAYLOAD', 'y') }, 2)
  assert.equal(bad, [], 'an already dropped peer produces nothing more')
})

test('bad bytes from a transport close that rig only', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.join(1, 'a', 0)
  s.join(2, 'b', 0)
  s.take()
  const fx = s.send(
    { type: 'badFrame', peer: 1, error: new FrameError('BAD_MAGIC', 'not a Synchro frame (magic 0x4745, expected 0x5359)') },
    5,
  )
  assert.equal(kinds(fx), ['send', 'close', 'notify', 'rigGone'])
  assert.equal(sentTerminate(fx[0]!).code, 'protocol-error')
  assert.equal([...s.state.streamingPeers], [2])
})

for (const second of ['drums', 'Drums']) {
  test(`a second rig named '${second}' replaces 'drums' (a rebooted rig; names are one rig whatever their case)`, () => {
    const s = new ServerDriver(serverConfig())
    s.join(1, 'drums', 0)
    s.take()
    const fx = s.join(2, second, 100)
    assert.equal(sentTerminate(fx.find((f) => f.kind === 'send' && (f as { peer: number }).peer === 1)!).code, 'replaced')
    assert.equal([...s.state.rigs.keys()], [2])
  })
}

test("an operator's terminate reason over 512 characters is cut to 512, so every rig still reads the TERMINATE", () => {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  s.take()
  const fx = s.send({ type: 'terminate', reason: 'x'.repeat(600), code: 'operator' }, 9)
  const sent = sentTerminate(fx[0]!)
  assert.is(sent.reason, `${'x'.repeat(511)}…`)
  assert.is(sent.reason.length, 512)
})

test('a rig that sends TERMINATE leaves with its reason', () => {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  const fx = s.send(
    {
      type: 'frame',
      peer: 1,
      bytes: encodeControl(
        { type: MSG.TERMINATE, body: { reason: 'rig stopped by operator (SIGINT)', code: 'rig-stopped' } },
        { sessionId: SESSION },
      ),
    },
    5,
  )
  assert.equal(notices(fx), [{ event: 'left', name: 'a', remote: 'r1', reason: 'rig left: rig stopped by operator (SIGINT)' }])
})

test('terminate tells every rig, closes them all, and stops', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.join(1, 'a', 0)
  s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 2, remote: 'r2' }, 0)
  s.take()
  const fx = s.send({ type: 'terminate', reason: 'end of source', code: 'end-of-source' }, 9)
  assert.equal(kinds(fx), ['send', 'close', 'send', 'close', 'notify', 'stopped'])
  assert.equal(sentControl(fx[0]!).body, { reason: 'end of source', code: 'end-of-source' })
  assert.is(s.state.phase, 'closed')
  assert.equal(s.send({ type: 'terminate', reason: 'again', code: 'operator' }, 10), [])
  assert.equal(s.send({ type: 'audio', pcm: new Uint8Array(4) }, 10), [])
})

const TOKEN = 'feedfacefeedface'
const REPORT = {
  packetsReceived: 10,
  packetsLost: 1,
  packetsLate: 0,
  packetsRecovered: 0,
  framesConcealed: 128,
  underruns: 0,
  jitterMs: 0.5,
  bufferMs: 20,
  midiReceived: 3,
  midiLost: 0,
  sync: { state: 'late' as const, errorMs: 0.4, lateMs: 3.5, latencyMs: 2, offsetMs: 0 },
}
const udpConnect = (peer: number, token = 'b0b0b0b0b0b0b0b0') => ({
  type: 'connect' as const,
  link: 'udp' as const,
  token,
  peer,
  remote: `u${peer}`,
})
const tcpConnect = (peer: number, token: string) => ({ type: 'connect' as const, link: 'tcp' as const, token, peer, remote: `t${peer}` })

/** Two TCP rigs streaming: a (peer 1, token aa..) and b (peer 2, token bb..). */
function tcpShow() {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.send(tcpConnect(1, 'aa'.repeat(8)), 0)
  s.send({ type: 'frame', peer: 1, bytes: helloReply('a') }, 0)
  s.send(tcpConnect(2, 'bb'.repeat(8)), 0)
  s.send({ type: 'frame', peer: 2, bytes: helloReply('b') }, 0)
  s.take()
  return s
}

test('switch: every rig on the other transport is sent SWITCH with its own token', () => {
  const s = tcpShow()
  const fx = s.send({ type: 'switch', to: 'udp' }, 10)
  assert.equal(kinds(fx), ['send', 'send', 'notify'])
  assert.equal(sentControl(fx[0]!).body, { transport: 'udp', token: 'aa'.repeat(8) })
  assert.equal(sentControl(fx[1]!).body, { transport: 'udp', token: 'bb'.repeat(8) })
  assert.equal((fx[2] as { notice: unknown }).notice, { event: 'switch', to: 'udp', rigs: ['a', 'b'] })
  assert.is(s.state.mode, 'udp')
  assert.equal(
    s.send({ type: 'switch', to: 'udp' }, 11).map((f) => f.kind),
    ['notify'],
    'already there: nobody moves',
  )
})

test('switch: RESUME with the token moves the session to the new connection, quietly', () => {
  const s = tcpShow()
  s.send({ type: 'switch', to: 'udp' }, 10)
  s.send({ type: 'audio', pcm: new Uint8Array(512) }, 11)
  s.take()
  s.send(udpConnect(3), 12)
  const fx = s.send({ type: 'frame', peer: 3, bytes: frameFrom(MSG.RESUME, { token: 'aa'.repeat(8), name: 'a' }) }, 13)
  assert.equal(kinds(fx), ['send', 'rebind', 'notify'])
  assert.equal(sentControl(fx[0]!).body, { transport: 'udp' })
  assert.equal(fx[1], { kind: 'rebind', from: 1, to: 3 })
  assert.equal((fx[2] as { notice: unknown }).notice, { event: 'switched', name: 'a', from: 'tcp', to: 'udp', remote: 'u3' })
  const moved = s.state.rigs.get(3)!
  assert.equal([moved.name, moved.phase, moved.link, moved.switching], ['a', 'streaming', 'udp', undefined])
  assert.not.ok(s.state.rigs.has(1))
  assert.equal([...s.state.streamingPeers].sort(), [2, 3])
  const audio = s.send({ type: 'audio', pcm: new Uint8Array(512) }, 14)
  assert.equal((audio[0] as unknown as { peers: number[] }).peers.slice().sort(), [2, 3], 'audio follows the rig to its new connection')
})

test("switch: a RESUME with an unknown token, or another rig's name, is refused", () => {
  const s = tcpShow()
  s.send(udpConnect(3), 1)
  const fx = s.send({ type: 'frame', peer: 3, bytes: frameFrom(MSG.RESUME, { token: 'cc'.repeat(8), name: 'a' }) }, 2)
  assert.equal(kinds(fx).slice(0, 2), ['send', 'close'])
  assert.match(sentTerminate(fx[0]!).reason, /names no session/)
  s.send(udpConnect(4), 3)
  const stolen = s.send({ type: 'frame', peer: 4, bytes: frameFrom(MSG.RESUME, { token: 'aa'.repeat(8), name: 'b' }) }, 4)
  assert.equal(kinds(stolen).slice(0, 2), ['send', 'close'])
  assert.ok(s.state.rigs.has(1) && s.state.rigs.has(2), 'the real rigs are untouched')
})

test('switch: a rig that does not move within the timeout is reported and stays', () => {
  const s = tcpShow()
  s.send({ type: 'switch', to: 'udp' }, 0)
  s.send({ type: 'frame', peer: 2, bytes: frameFrom(MSG.SWITCH_FAILED, { transport: 'udp', reason: 'cannot reach udp' }) }, 100)
  assert.equal((s.take().at(-1) as { notice: unknown }).notice, {
    event: 'switch-failed',
    name: 'b',
    to: 'udp',
    reason: 'cannot reach udp',
  })
  s.send({ type: 'frame', peer: 1, bytes: ping(1) }, 3000)
  s.send({ type: 'frame', peer: 2, bytes: ping(1) }, 3000)
  s.take()
  const fx = s.send({ type: 'tick' }, 3100)
  const failed = fx.filter((f) => f.kind === 'notify').map((f) => (f as { notice: { event: string; name: string } }).notice)
  assert.equal(
    failed.map((n) => [n.event, n.name]),
    [['switch-failed', 'a']],
  )
  assert.is(s.state.rigs.get(1)!.switching, undefined)
  assert.is(s.state.rigs.get(1)!.link, 'tcp')
})

test('switch: a rig joining a UDP show over TCP is moved at once; REPORTs are kept for the operator', () => {
  const s = new ServerDriver(serverConfig({ mode: 'udp' }))
  s.send(tcpConnect(1, 'aa'.repeat(8)), 0)
  const fx = s.send({ type: 'frame', peer: 1, bytes: helloReply('a') }, 0)
  const msgs = fx.filter((f) => f.kind === 'send').map((f) => sentControl(f).type)
  assert.equal(msgs, [MSG.SWITCH, MSG.INIT])
  s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.REPORT, REPORT) }, 1)
  assert.equal(s.state.rigs.get(1)!.report, REPORT)
})

// Every (rig phase, message) pair: each is either accepted or refused with a TERMINATE, never thrown.
const FROM_RIG: Record<string, () => Uint8Array> = {
  HELLO: () => frameFrom(MSG.HELLO, { version: 1 }),
  HELLO_REPLY: () => helloReply('again'),
  INIT: () => frameFrom(MSG.INIT, { position: 0 }),
  AUDIO: () => encodeFrame(MSG.AUDIO, new Uint8Array(4), { sessionId: SESSION }),
  MIDI: () => encodeFrame(MSG.MIDI, new Uint8Array(4), { sessionId: SESSION }),
  TERMINATE: () => frameFrom(MSG.TERMINATE, { reason: 'bye' }),
  PING: () => ping(1),
  PONG: () => encodePingPong(MSG.PONG, 1, { sessionId: SESSION }),
  ACK: () => encodeFrame(MSG.ACK, new Uint8Array(0), { sessionId: SESSION }),
  CONNECT: () => encodeFrame(MSG.CONNECT, new Uint8Array(1180), { sessionId: SESSION }),
  SWITCH: () => frameFrom(MSG.SWITCH, { transport: 'udp', token: TOKEN }),
  RESUME: () => frameFrom(MSG.RESUME, { token: 'ab'.repeat(12), name: 'a' }),
  RESUMED: () => frameFrom(MSG.RESUMED, { transport: 'udp' }),
  SWITCH_FAILED: () => frameFrom(MSG.SWITCH_FAILED, { transport: 'udp', reason: 'firewall' }),
  REPORT: () => frameFrom(MSG.REPORT, REPORT),
  BUNDLE: () => encodeFrame(MSG.BUNDLE, new Uint8Array(0), { sessionId: SESSION }),
  TIME_REQUEST: () => encodeTime(MSG.TIME_REQUEST, { t1: 5, t2: 0, t3: 0 }, { sessionId: SESSION }),
  TIME_REPLY: () => encodeTime(MSG.TIME_REPLY, { t1: 5, t2: 6, t3: 6 }, { sessionId: SESSION }),
  TIMELINE: () => encodeTimeline({ position: 0, serverMs: 5, driftPpm: 0 }, { sessionId: SESSION }),
}
const ACCEPTED: Record<string, string[]> = {
  handshake: ['HELLO_REPLY', 'PING', 'PONG', 'TIME_REQUEST'],
  ready: ['PING', 'PONG', 'SWITCH_FAILED', 'REPORT', 'TIME_REQUEST'],
  streaming: ['PING', 'PONG', 'SWITCH_FAILED', 'REPORT', 'TIME_REQUEST'],
}
for (const phase of ['handshake', 'ready', 'streaming'] as const) {
  for (const [name, build] of Object.entries(FROM_RIG)) {
    test(`rig in ${phase} sends ${name}`, () => {
      const s = new ServerDriver(serverConfig({ clients: phase === 'ready' ? 2 : 1 }))
      s.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer: 1, remote: 'r1' }, 0)
      if (phase !== 'handshake') s.send({ type: 'frame', peer: 1, bytes: helloReply('a') }, 0)
      assert.is(s.state.rigs.get(1)!.phase, phase)
      s.take()
      const fx = s.send({ type: 'frame', peer: 1, bytes: build() }, 1)
      if (name === 'TERMINATE') {
        assert.ok(kinds(fx).includes('close'))
        assert.not.ok(
          fx.some((f) => f.kind === 'send'),
          'a leaving rig is not sent anything more',
        )
      } else if (ACCEPTED[phase]!.includes(name)) {
        assert.not.ok(kinds(fx).includes('close'), `${name} should be accepted in ${phase}`)
      } else {
        assert.equal(kinds(fx).slice(0, 2), ['send', 'close'])
        assert.is(sentTerminate(fx[0]!).code, 'protocol-error')
      }
    })
  }
}

// The allowed-message table, every (rig phase, message type) pair: what the table says, and
// that the machine does exactly that (a refusal tells the rig this reason and closes it).
const WELL_FORMED: Record<string, () => Uint8Array> = {
  ...FROM_RIG,
  HELLO: () => frameFrom(MSG.HELLO, { version: 1, serverName: 's', format: FORMAT, maxPayload: 1400, pingIntervalMs: 1000 }),
  MIDI: () =>
    encodeMidiFrame([{ serial: 0, position: 0, flags: 0, data: Uint8Array.of(0x90, 60, 100) }], 0, 1, {
      seq: 0,
      sessionId: SESSION,
      timestamp: 0,
      oldest: 0,
    }),
  MIDI_ACK: () => encodeMidiAck(0, SESSION),
  'type 99': () => encodeFrame(99 as 1, new Uint8Array(0), { sessionId: SESSION }),
}
const NOT_A_RIGS = (name: string) => `${name} is not something a rig may send`
const TODAY: Record<'handshake' | 'ready' | 'streaming', Record<string, true | string>> = {
  handshake: {
    PING: true,
    PONG: true,
    TIME_REQUEST: true,
    HELLO_REPLY: true,
    RESUME: true,
    TERMINATE: true,
    MIDI: 'MIDI before INIT',
    MIDI_ACK: 'MIDI_ACK before INIT',
    REPORT: 'REPORT before HELLO_REPLY',
    SWITCH_FAILED: 'SWITCH_FAILED before HELLO_REPLY',
  },
  ready: {
    PING: true,
    PONG: true,
    TIME_REQUEST: true,
    REPORT: true,
    SWITCH_FAILED: true,
    TERMINATE: true,
    MIDI: 'MIDI before INIT',
    MIDI_ACK: 'MIDI_ACK before INIT',
    HELLO_REPLY: 'HELLO_REPLY sent twice',
    RESUME: 'RESUME is only allowed as the first message on a new connection',
  },
  streaming: {
    PING: true,
    PONG: true,
    TIME_REQUEST: true,
    MIDI: true,
    MIDI_ACK: true,
    REPORT: true,
    SWITCH_FAILED: true,
    TERMINATE: true,
    HELLO_REPLY: 'HELLO_REPLY sent twice',
    RESUME: 'RESUME is only allowed as the first message on a new connection',
  },
}
const TYPES: Array<[string, number]> = [...Object.entries(MSG), ['type 99', 99]]
for (const phase of ['handshake', 'ready', 'streaming'] as const) {
  test(`allowed-message table, rig in ${phase}: every message type`, () => {
    for (const [name, type] of TYPES) {
      const expected = TODAY[phase][name] ?? NOT_A_RIGS(name)
      assert.is(refusalOf(phase, type), expected === true ? undefined : expected, `${name} in ${phase}`)
      const s = new ServerDriver(serverConfig({ clients: phase === 'ready' ? 2 : 1 }))
      s.send({ type: 'connect', link: 'memory', token: TOKEN, peer: 1, remote: 'r1' }, 0)
      if (phase !== 'handshake') s.send({ type: 'frame', peer: 1, bytes: helloReply('a') }, 0)
      assert.is(s.state.rigs.get(1)!.phase, phase)
      s.take()
      const fx = s.send({ type: 'frame', peer: 1, bytes: WELL_FORMED[name]!() }, 1)
      if (expected === true) {
        if (name === 'TERMINATE')
          assert.equal(
            kinds(fx).filter((k) => k !== 'notify' && k !== 'rigGone'),
            ['close'],
            `${name} in ${phase}`,
          )
        // Admitted, then judged by its handler: this show has no session with that token.
        else if (name === 'RESUME') assert.match(sentTerminate(fx[0]!).reason, /^RESUME names no session of this show/)
        else assert.not.ok(kinds(fx).includes('close'), `${name} should be accepted in ${phase}`)
        continue
      }
      // A type the codec does not know is refused by the frame decoder, before the table is asked.
      const told = type === 99 ? 'unknown message type 99' : expected
      assert.equal(sentTerminate(fx[0]!), { reason: told, code: 'protocol-error' }, `${name} in ${phase}`)
      assert.equal(
        notices(fx),
        phase === 'handshake'
          ? [{ event: 'rejected', remote: 'r1', reason: told }]
          : [{ event: 'left', name: 'a', remote: 'r1', reason: told }],
        `${name} in ${phase}`,
      )
      assert.equal(
        kinds(fx),
        phase === 'streaming' ? ['send', 'close', 'notify', 'rigGone'] : ['send', 'close', 'notify'],
        `${name} in ${phase}`,
      )
      assert.not.ok(s.state.rigs.has(1))
    }
  })
}

test('a malformed control body is refused for what is wrong with it, even where its type is not allowed', () => {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  s.take()
  const fx = s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.HELLO_REPLY, { version: 1, name: '' }) }, 1)
  assert.equal(sentTerminate(fx[0]!), {
    reason: 'invalid HELLO_REPLY: name: Too small: expected string to have >=1 characters',
    code: 'protocol-error',
  })
})

test('TIME_REQUEST is answered at once with t1 echoed and t2 = t3 = the server clock, in every rig phase; not retransmitted', () => {
  const s = new ServerDriver(serverConfig({ clients: 2 }))
  s.send({ type: 'connect', link: 'memory', token: TOKEN, peer: 1, remote: 'r1' }, 0)
  s.take()
  for (const [now, t1] of [
    [5, 1.25],
    [7.5, 3.5],
  ] as const) {
    const fx = s.send({ type: 'frame', peer: 1, bytes: encodeTime(MSG.TIME_REQUEST, { t1, t2: 0, t3: 0 }, { sessionId: SESSION }) }, now)
    assert.equal(kinds(fx), ['send'])
    const f = decodeFrame((fx[0] as Extract<ServerEffect, { kind: 'send' }>).frame, 64)
    assert.equal([f.header.type, f.header.sessionId, f.header.flags], [MSG.TIME_REPLY, SESSION, 0])
    assert.equal(readTime(f), { t1, t2: now, t3: now })
    assert.is(s.state.rigs.get(1)!.lastHeardMs, now)
    if (s.state.rigs.get(1)!.phase === 'handshake') s.send({ type: 'frame', peer: 1, bytes: helloReply('a') }, now)
    s.take()
  }
  assert.is(s.state.rigs.get(1)!.phase, 'ready')
})

test('a TIME_REQUEST of the wrong length is refused as a protocol error', () => {
  const s = new ServerDriver(serverConfig())
  s.join(1, 'a', 0)
  s.take()
  const fx = s.send({ type: 'frame', peer: 1, bytes: encodeFrame(MSG.TIME_REQUEST, new Uint8Array(8), { sessionId: SESSION }) }, 1)
  assert.equal(sentTerminate(fx[0]!), { reason: 'TIME_REQUEST payload must be 24 bytes, got 8', code: 'protocol-error' })
})

test.run()
