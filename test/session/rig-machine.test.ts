import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG, messageTypeName } from '../../src/codec/header.js'
import { encodeMidiAck, encodeMidiFrame } from '../../src/codec/midi.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  encodeTime,
  encodeTimeline,
  readControl,
  readTime,
  MEDIA_MAX_PAYLOAD,
} from '../../src/codec/messages.js'
import { CODEC } from '../../src/codec/format.js'
import { FrameError } from '../../src/errors.js'
import { initialRigState, stepRig, type RigEffect, type RigEvent, type RigState } from '../../src/session/rig-machine.js'
import { FORMAT, SESSION, frameFrom, kinds } from '../helpers/session.js'

class RigDriver {
  state: RigState = initialRigState({ name: 'left', meta: { a: 1 } }, 1000)
  send(e: RigEvent, now: number): RigEffect[] {
    const r = stepRig(this.state, e, now)
    this.state = r.state
    return r.effects
  }
}

const hello = (over: Record<string, unknown> = {}) =>
  encodeControl(
    { type: MSG.HELLO, body: { version: 1, serverName: 'foh', format: FORMAT, maxPayload: 512, pingIntervalMs: 1000, ...over } as never },
    { sessionId: SESSION },
  )
const init = () => encodeControl({ type: MSG.INIT, body: { position: 256, timeline: null } }, { sessionId: SESSION, timestamp: 256 })
const audio = (seq: number, codec: number = CODEC.pcm_s16le) =>
  encodeFrame(MSG.AUDIO, new Uint8Array(512), { codec, seq, sessionId: SESSION, timestamp: 256 + seq * 128 })
const terminate = (code: string) =>
  encodeControl({ type: MSG.TERMINATE, body: { reason: `because ${code}`, code } }, { sessionId: SESSION })
const sentBody = (fx: RigEffect) => {
  if (fx.kind !== 'send') throw new Error(fx.kind)
  return readControl(decodeFrame(fx.frame, MEDIA_MAX_PAYLOAD))
}
const outcome = (fx: RigEffect[]) => fx.find((f) => f.kind === 'end') as Extract<RigEffect, { kind: 'end' }> | undefined

function streaming(): RigDriver {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  r.send({ type: 'frame', bytes: hello() }, 1)
  r.send({ type: 'frame', bytes: init() }, 2)
  return r
}

test('HELLO is answered with the rig name and metadata, and raises the frame limit', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  const fx = r.send({ type: 'frame', bytes: hello() }, 5)
  assert.equal(kinds(fx), ['send', 'setMaxPayload', 'openMedia', 'notify', 'scheduleTimeExchange'])
  assert.equal(sentBody(fx[0]!), { type: MSG.HELLO_REPLY, body: { version: 1, name: 'left', meta: { a: 1 } } })
  assert.equal(fx[1], { kind: 'setMaxPayload', bytes: 512 })
  assert.equal(fx[2], { kind: 'openMedia', format: FORMAT }, 'the media opens on an effect of its own, not on the notice')
  assert.equal(fx[3], { kind: 'notify', notice: { event: 'handshake', serverName: 'foh', format: FORMAT, sessionId: SESSION } })
  assert.equal(fx[4], { kind: 'scheduleTimeExchange', ms: 0 }, 'the session id is known: the time exchanges begin at once')
  assert.is(r.state.phase, 'ready')
})

test('a rig whose card opens first (awaitsMedia): HELLO opens it and asks the time; HELLO_REPLY goes on mediaReady, once', () => {
  const r = new RigDriver()
  r.state = initialRigState({ name: 'left', meta: {}, awaitsMedia: true }, 1000)
  r.send({ type: 'connected' }, 0)
  const fx = r.send({ type: 'frame', bytes: hello() }, 5)
  assert.equal(kinds(fx), ['setMaxPayload', 'openMedia', 'notify', 'scheduleTimeExchange'])
  assert.is(r.state.phase, 'opening')
  assert.equal(kinds(r.send({ type: 'timeExchangeDue' }, 6)), ['send', 'scheduleTimeExchange'], 'the time exchanges begin meanwhile')
  assert.equal(r.send({ type: 'frame', bytes: timeReply(6, 50) }, 7).length, 1, 'and their replies are taken')
  assert.equal(kinds(r.send({ type: 'frame', bytes: encodePingPong(MSG.PING, 1, { sessionId: SESSION }) }, 8)), ['send'])
  const ready = r.send({ type: 'mediaReady' }, 300)
  assert.equal(kinds(ready), ['send'])
  assert.equal(sentBody(ready[0]!), { type: MSG.HELLO_REPLY, body: { version: 1, name: 'left', meta: {} } })
  assert.is(r.state.phase, 'ready')
  assert.equal(r.send({ type: 'mediaReady' }, 301), [], 'only once')
  assert.equal(kinds(r.send({ type: 'frame', bytes: init() }, 302)), ['startPlayout', 'notify'])
})

test('while its card opens, the rig takes no INIT (the server has not heard it join) and drops media that overtook on UDP', () => {
  const opening = () => {
    const r = new RigDriver()
    r.state = initialRigState({ name: 'left', meta: {}, awaitsMedia: true }, 1000)
    r.send({ type: 'connected' }, 0)
    r.send({ type: 'frame', bytes: hello() }, 1)
    return r
  }
  assert.equal(opening().send({ type: 'frame', bytes: audio(0), ordered: false }, 2), [])
  const fx = opening().send({ type: 'frame', bytes: init() }, 2)
  assert.equal(outcome(fx)?.outcome, { ok: false, code: 'protocol-error', reason: 'INIT while opening', drain: false })
  assert.ok(outcome(opening().send({ type: 'frame', bytes: terminate('operator') }, 2))?.outcome.ok)
})

test('INIT starts streaming; AUDIO is delivered with its header', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  r.send({ type: 'frame', bytes: hello() }, 1)
  const started = r.send({ type: 'frame', bytes: init() }, 2)
  assert.equal(started, [
    { kind: 'startPlayout', position: 256, latencyMs: undefined, timeline: null },
    { kind: 'notify', notice: { event: 'init', position: 256 } },
  ])
  assert.is(r.state.phase, 'streaming')
  const fx = r.send({ type: 'frame', bytes: audio(3) }, 10)
  assert.equal(kinds(fx), ['audio'])
  const a = fx[0] as Extract<RigEffect, { kind: 'audio' }>
  assert.equal([a.header.seq, a.header.timestamp, a.pcm.byteLength], [3, 640, 512])
})

test('a server HELLO of another version ends the rig with both versions named', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  const fx = r.send({ type: 'frame', bytes: hello({ version: 2 }) }, 1)
  const o = outcome(fx)!.outcome
  assert.equal([o.ok, o.code], [false, 'version-mismatch'])
  assert.match(o.reason, 'server speaks Synchro protocol v2, this rig speaks v1')
})

test('a frame with a newer header version is refused the same way', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  const bytes = hello()
  bytes[2] = 3
  const o = outcome(r.send({ type: 'frame', bytes }, 1))!.outcome
  assert.equal([o.ok, o.code], [false, 'version-mismatch'])
  assert.match(o.reason, /^server speaks Synchro protocol v3, this side speaks v1/)
})

test('TERMINATE for a finished show ends gracefully and drains; a refusal does not', () => {
  for (const [code, ok] of [
    ['end-of-source', true],
    ['operator', true],
    ['duration', true],
    ['protocol-error', false],
    ['timeout', false],
  ] as const) {
    const r = streaming()
    const fx = r.send({ type: 'frame', bytes: terminate(code) }, 10)
    assert.equal(kinds(fx), ['notify', 'close', 'end'])
    assert.equal(outcome(fx)!.outcome, { ok, code, reason: `because ${code}`, drain: true, endPosition: 0 })
  }
})

test('keep-alive: the rig pings, and gives up on a silent server after 1.5 intervals', () => {
  const r = streaming()
  r.send({ type: 'frame', bytes: audio(0) }, 2)
  const p = r.send({ type: 'tick' }, 1002)
  // A third of the timeout without a word from a streaming server: the operator is told.
  assert.equal(
    p.map((f) => (f.kind === 'send' ? decodeFrame(f.frame, 64).header.type : f.kind)),
    ['notify', MSG.PING],
  )
  assert.equal((p[0] as { notice: unknown }).notice, { event: 'silent', silentMs: 1000, timeoutMs: 1500 })
  const back = r.send({ type: 'frame', bytes: encodePingPong(MSG.PONG, 1002, { sessionId: SESSION }) }, 1005)
  assert.equal((back[0] as { notice: unknown }).notice, { event: 'recovered', silentMs: 1003 })
  assert.is(r.state.rttMs, 3)
  assert.equal(kinds(r.send({ type: 'tick' }, 2400)), ['notify', 'send'], 'silent again; the next PING is due; still within the timeout')
  const fx = r.send({ type: 'tick' }, 2600)
  assert.equal(outcome(fx)!.outcome, { ok: false, code: 'timeout', reason: 'lost the server: nothing heard for 1.6 s', drain: false })
})

test('a MIDI-only show (no audio yet) is quiet by nature: no silent notice, the keep-alive alone decides', () => {
  const r = streaming()
  assert.equal(kinds(r.send({ type: 'tick' }, 1002)), ['send'], 'just the PING')
  const fx = r.send({ type: 'tick' }, 1600)
  assert.equal(outcome(fx)!.outcome.code, 'timeout')
})

test('the rig operator stopping it tells the server and exits cleanly', () => {
  const r = streaming()
  const fx = r.send({ type: 'stop', reason: 'rig stopped by operator (SIGINT)' }, 5)
  assert.equal(kinds(fx), ['send', 'close', 'end'])
  assert.equal(sentBody(fx[0]!).body, { reason: 'rig stopped by operator (SIGINT)', code: 'rig-stopped' })
  assert.ok(outcome(fx)!.outcome.ok)
  assert.equal(r.send({ type: 'frame', bytes: audio(1) }, 6), [], 'an ended rig ignores everything')
})

test('a dropped connection without TERMINATE is a failure', () => {
  const r = streaming()
  const o = outcome(r.send({ type: 'disconnect', reason: 'read ECONNRESET' }, 5))!.outcome
  assert.equal(o, { ok: false, code: 'disconnected', reason: 'lost the server: read ECONNRESET', drain: false })
})

test('bad bytes or a wrong session id end the rig and tell the server why', () => {
  const r = streaming()
  const fx = r.send({ type: 'badFrame', error: new FrameError('BAD_MAGIC', 'not a Synchro frame') }, 5)
  assert.equal(sentBody(fx[0]!).body, { reason: 'not a Synchro frame', code: 'protocol-error' })
  const r2 = streaming()
  const other = encodeFrame(MSG.AUDIO, new Uint8Array(4), { codec: 1, sessionId: 99 })
  assert.match(outcome(r2.send({ type: 'frame', bytes: other }, 5))!.outcome.reason, 'server sent session id 99, expected 305419896')
})

test('AUDIO in a codec other than the show format is refused', () => {
  const r = streaming()
  assert.match(
    outcome(r.send({ type: 'frame', bytes: audio(1, CODEC.pcm_f32le) }, 5))!.outcome.reason,
    "AUDIO with codec 3, the show's format is s16le",
  )
})

test('SWITCH asks the runner to move, with the token; early AUDIO on an unordered link is dropped, not fatal', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  r.send({ type: 'frame', bytes: hello() }, 0)
  const fx = r.send({ type: 'frame', bytes: frameFrom(MSG.SWITCH, { transport: 'udp', token: 'ab'.repeat(8) }) }, 1)
  assert.equal(
    fx.map((f) => f.kind),
    ['notify', 'switch'],
  )
  assert.equal(fx[1], { kind: 'switch', to: 'udp', token: 'ab'.repeat(8) })
  assert.equal(r.send({ type: 'frame', bytes: audio(0), ordered: false }, 2), [], 'AUDIO overtook INIT on UDP')
  assert.is(r.state.phase, 'ready')
  assert.equal(outcome(r.send({ type: 'frame', bytes: audio(0) }, 3))?.outcome.code, 'protocol-error', 'on TCP it cannot happen: refused')
})

// Every (phase, message) pair from the server.
const FROM_SERVER: Record<string, () => Uint8Array> = {
  HELLO: () => hello(),
  HELLO_REPLY: () => frameFrom(MSG.HELLO_REPLY, { version: 1, name: 'x' }),
  INIT: init,
  AUDIO: () => audio(0),
  MIDI: () => encodeFrame(MSG.MIDI, new Uint8Array(4), { sessionId: SESSION }),
  TERMINATE: () => terminate('operator'),
  PING: () => encodePingPong(MSG.PING, 1, { sessionId: SESSION }),
  PONG: () => encodePingPong(MSG.PONG, 1, { sessionId: SESSION }),
  ACK: () => encodeFrame(MSG.ACK, new Uint8Array(0), { sessionId: SESSION }),
  CONNECT: () => encodeFrame(MSG.CONNECT, new Uint8Array(8), { sessionId: SESSION }),
  SWITCH: () => frameFrom(MSG.SWITCH, { transport: 'udp', token: 'ab'.repeat(8) }),
  RESUME: () => frameFrom(MSG.RESUME, { token: 'ab'.repeat(8), name: 'x' }),
  RESUMED: () => frameFrom(MSG.RESUMED, { transport: 'udp' }),
  SWITCH_FAILED: () => frameFrom(MSG.SWITCH_FAILED, { transport: 'udp', reason: 'x' }),
  REPORT: () =>
    frameFrom(MSG.REPORT, {
      packetsReceived: 0,
      packetsLost: 0,
      packetsLate: 0,
      packetsRecovered: 0,
      framesConcealed: 0,
      underruns: 0,
      jitterMs: 0,
      bufferMs: 0,
    }),
  BUNDLE: () => encodeFrame(MSG.BUNDLE, new Uint8Array(0), { sessionId: SESSION }),
  TIME_REQUEST: () => encodeTime(MSG.TIME_REQUEST, { t1: 1, t2: 0, t3: 0 }, { sessionId: SESSION }),
  TIME_REPLY: () => encodeTime(MSG.TIME_REPLY, { t1: 0, t2: 5, t3: 5 }, { sessionId: SESSION }),
}
const ALLOWED: Record<string, string[]> = {
  handshake: ['HELLO', 'TERMINATE', 'PING', 'PONG'],
  ready: ['INIT', 'TERMINATE', 'PING', 'PONG', 'SWITCH', 'TIME_REPLY'],
  streaming: ['AUDIO', 'TERMINATE', 'PING', 'PONG', 'SWITCH', 'TIME_REPLY'],
}
for (const phase of ['handshake', 'ready', 'streaming'] as const) {
  for (const [name, build] of Object.entries(FROM_SERVER)) {
    test(`rig in ${phase} receives ${name}`, () => {
      const r = new RigDriver()
      r.send({ type: 'connected' }, 0)
      if (phase !== 'handshake') r.send({ type: 'frame', bytes: hello() }, 0)
      if (phase === 'streaming') r.send({ type: 'frame', bytes: init() }, 0)
      assert.is(r.state.phase, phase)
      const fx = r.send({ type: 'frame', bytes: build() }, 1)
      const end = outcome(fx)
      if (name === 'TERMINATE') assert.ok(end?.outcome.ok)
      else if (ALLOWED[phase]!.includes(name)) assert.not.ok(end, `${name} should be accepted in ${phase}`)
      else {
        assert.equal(end?.outcome.code, 'protocol-error', `${name} must be refused in ${phase}`)
        assert.is(sentBody(fx[0]!).type, MSG.TERMINATE)
      }
    })
  }
}

// The allowed (phase, message) table, every pair both ways (ordered, as on TCP, and not, as
// on UDP): exactly what the rig does with each, and for a refusal the very reason the server is told.
const VALID_FROM_ANYONE: Record<number, () => Uint8Array> = {
  [MSG.HELLO]: () => hello(),
  [MSG.TIMELINE]: () => encodeTimeline({ position: 256, serverMs: 1000, driftPpm: 0 }, { sessionId: SESSION }),
  [MSG.HELLO_REPLY]: () => frameFrom(MSG.HELLO_REPLY, { version: 1, name: 'x', meta: {} }),
  [MSG.INIT]: init,
  [MSG.AUDIO]: () => audio(0),
  [MSG.MIDI]: () =>
    encodeMidiFrame([{ serial: 0, position: 0, flags: 0, data: new Uint8Array([0x90, 60, 100]) }], 0, 1, {
      seq: 0,
      sessionId: SESSION,
      timestamp: 256,
      oldest: 0,
    }),
  [MSG.TERMINATE]: () => terminate('operator'),
  [MSG.PING]: () => encodePingPong(MSG.PING, 1, { sessionId: SESSION }),
  [MSG.PONG]: () => encodePingPong(MSG.PONG, 1, { sessionId: SESSION }),
  [MSG.ACK]: () => encodeFrame(MSG.ACK, new Uint8Array(0), { sessionId: SESSION }),
  [MSG.CONNECT]: () => encodeFrame(MSG.CONNECT, new Uint8Array(8), { sessionId: SESSION }),
  [MSG.SWITCH]: () => frameFrom(MSG.SWITCH, { transport: 'udp', token: 'ab'.repeat(8) }),
  [MSG.RESUME]: () => frameFrom(MSG.RESUME, { token: 'ab'.repeat(8), name: 'x' }),
  [MSG.RESUMED]: () => frameFrom(MSG.RESUMED, { transport: 'udp' }),
  [MSG.SWITCH_FAILED]: () => frameFrom(MSG.SWITCH_FAILED, { transport: 'udp', reason: 'x' }),
  [MSG.REPORT]: () =>
    frameFrom(MSG.REPORT, {
      packetsReceived: 0,
      packetsLost: 0,
      packetsLate: 0,
      packetsRecovered: 0,
      framesConcealed: 0,
      underruns: 0,
      jitterMs: 0,
      bufferMs: 0,
    }),
  [MSG.BUNDLE]: () => encodeFrame(MSG.BUNDLE, new Uint8Array(0), { sessionId: SESSION }),
  [MSG.MIDI_ACK]: () => encodeMidiAck(3, SESSION),
  [MSG.TIME_REQUEST]: () => encodeTime(MSG.TIME_REQUEST, { t1: 1, t2: 0, t3: 0 }, { sessionId: SESSION }),
  [MSG.TIME_REPLY]: () => encodeTime(MSG.TIME_REPLY, { t1: 0, t2: 5, t3: 5 }, { sessionId: SESSION }),
}

/** What each accepted message yields (effect kinds), by type. */
const ACCEPTED: Record<number, string[]> = {
  [MSG.HELLO]: ['send', 'setMaxPayload', 'openMedia', 'notify', 'scheduleTimeExchange'],
  [MSG.INIT]: ['startPlayout', 'notify'],
  [MSG.AUDIO]: ['audio'],
  [MSG.MIDI]: ['midi'],
  [MSG.MIDI_ACK]: ['midiAck'],
  [MSG.PING]: ['send'],
  [MSG.PONG]: [],
  [MSG.SWITCH]: ['notify', 'switch'],
  [MSG.TERMINATE]: ['notify', 'close', 'end'],
  // Accepted, and dropped: it answers no request this rig sent (the exchange tests below feed real ones).
  [MSG.TIME_REPLY]: [],
  [MSG.TIMELINE]: ['timeline'],
}

/** The table as the protocol states it: per phase, each type's fate. */
function expected(phase: string, type: number, ordered: boolean): 'accept' | 'drop' | string {
  const name = messageTypeName(type)
  const fromServer = [
    MSG.HELLO,
    MSG.INIT,
    MSG.AUDIO,
    MSG.MIDI,
    MSG.MIDI_ACK,
    MSG.TERMINATE,
    MSG.PING,
    MSG.PONG,
    MSG.SWITCH,
    MSG.TIME_REPLY,
    MSG.TIMELINE,
  ] as number[]
  if (!fromServer.includes(type)) return `${name} is not something a server sends a rig`
  if (type === MSG.PING || type === MSG.PONG || type === MSG.TERMINATE) return 'accept'
  if (type === MSG.HELLO) return phase === 'handshake' ? 'accept' : 'HELLO sent twice'
  if (type === MSG.INIT) return phase === 'ready' ? 'accept' : `INIT while ${phase}`
  if (type === MSG.SWITCH) return phase === 'ready' || phase === 'streaming' ? 'accept' : `SWITCH while ${phase}`
  // The rig asks for the time from HELLO on, so a reply before it answers nothing.
  if (type === MSG.TIME_REPLY) return phase === 'ready' || phase === 'streaming' ? 'accept' : `TIME_REPLY while ${phase}`
  // AUDIO, MIDI, MIDI_ACK, TIMELINE: while streaming; on UDP they may overtake INIT, and are dropped then.
  if (phase === 'streaming') return 'accept'
  return phase === 'ready' && !ordered ? 'drop' : `${name} before INIT`
}

function inPhase(phase: 'connecting' | 'handshake' | 'ready' | 'streaming' | 'ended'): RigDriver {
  const r = new RigDriver()
  if (phase === 'ended') {
    r.send({ type: 'connected' }, 0)
    r.send({ type: 'disconnect', reason: 'gone' }, 0)
    return r
  }
  if (phase !== 'connecting') r.send({ type: 'connected' }, 0)
  if (phase === 'ready' || phase === 'streaming') r.send({ type: 'frame', bytes: hello() }, 0)
  if (phase === 'streaming') r.send({ type: 'frame', bytes: init() }, 0)
  return r
}

test('every (phase, message type) pair, ordered and not, against the allowed table', () => {
  const types = Object.values(MSG)
  assert.is(Object.keys(VALID_FROM_ANYONE).length, types.length, 'a frame for every message type')
  let tried = 0
  for (const phase of ['connecting', 'handshake', 'ready', 'streaming', 'ended'] as const) {
    for (const type of types) {
      for (const ordered of [true, false]) {
        const r = inPhase(phase)
        assert.is(r.state.phase, phase)
        const before = r.state
        // In the connecting phase no HELLO has given the session id yet: the server's frames carry 0.
        const bytes = VALID_FROM_ANYONE[type]!()
        if (phase === 'connecting') bytes.set([0, 0, 0, 0], 8)
        const fx = r.send({ type: 'frame', bytes, ordered }, 1)
        const where = `${messageTypeName(type)} in ${phase} (${ordered ? 'ordered' : 'unordered'})`
        tried++
        if (phase === 'ended') {
          assert.equal(fx, [], where)
          continue
        }
        const want = expected(phase, type, ordered)
        if (want === 'accept') {
          assert.equal(kinds(fx), ACCEPTED[type], where)
          if (type === MSG.TERMINATE) assert.ok(outcome(fx)!.outcome.ok, where)
        } else if (want === 'drop') {
          assert.equal(fx, [], where)
          assert.is(r.state.phase, phase, where)
          assert.is(r.state.lastHeardMs, 1, `${where}: dropped, but the server was heard`)
        } else {
          assert.equal(kinds(fx), ['send', 'close', 'end'], where)
          assert.equal(sentBody(fx[0]!), { type: MSG.TERMINATE, body: { reason: want, code: 'protocol-error' } }, where)
          assert.equal(outcome(fx)!.outcome, { ok: false, code: 'protocol-error', reason: want, drain: false }, where)
          assert.is(r.state.phase, 'ended', where)
          assert.is(before.phase, phase)
        }
      }
    }
  }
  assert.is(tried, 5 * 20 * 2)
})

test('a control message with a bad body is refused for its body, even where its type is not allowed', () => {
  const r = streaming()
  const fx = r.send({ type: 'frame', bytes: frameFrom(MSG.HELLO, { version: 'one' }) }, 1)
  assert.not.match(outcome(fx)!.outcome.reason, 'HELLO sent twice')
  assert.equal(outcome(fx)!.outcome.code, 'protocol-error')
})

// Time exchanges (src/sync/time-exchange.ts): a burst after HELLO, then one a second; each reply a sample.
const timeReply = (t1: number, t2: number, t3 = t2) => encodeTime(MSG.TIME_REPLY, { t1, t2, t3 }, { sessionId: SESSION })
const sentTime = (fx: RigEffect) => {
  if (fx.kind !== 'send') throw new Error(fx.kind)
  const f = decodeFrame(fx.frame, 64)
  return { type: f.header.type, session: f.header.sessionId, ...readTime(f) }
}

test('time exchanges: a burst of 8 requests 50 ms apart from HELLO, then one a second, stamped with t1 = now', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  assert.equal(r.send({ type: 'timeExchangeDue' }, 0), [], 'no request before HELLO gave the session id')
  r.send({ type: 'frame', bytes: hello() }, 10)
  const gaps: number[] = []
  let now = 10
  for (let i = 0; i < 10; i++) {
    const fx = r.send({ type: 'timeExchangeDue' }, now)
    assert.equal(kinds(fx), ['send', 'scheduleTimeExchange'])
    assert.equal(sentTime(fx[0]!), { type: MSG.TIME_REQUEST, session: SESSION, t1: now, t2: 0, t3: 0 })
    const ms = (fx[1] as Extract<RigEffect, { kind: 'scheduleTimeExchange' }>).ms
    gaps.push(ms)
    now += ms
  }
  assert.equal(gaps, [50, 50, 50, 50, 50, 50, 50, 1000, 1000, 1000])
  assert.is(r.state.time.sent, 10)
})

test('a TIME_REPLY to the last request is a sample with t4 = now; copies, overtaken and unasked replies are dropped', () => {
  const r = streaming()
  r.send({ type: 'timeExchangeDue' }, 100)
  r.send({ type: 'timeExchangeDue' }, 150)
  assert.equal(r.send({ type: 'frame', bytes: timeReply(151, 9000) }, 160), [], 'no request had t1 151')
  const fx = r.send({ type: 'frame', bytes: timeReply(150, 9000.2, 9000.3) }, 150.5)
  assert.equal(fx, [{ kind: 'timeSample', sample: { t1: 150, t2: 9000.2, t3: 9000.3, t4: 150.5 } }])
  assert.equal(r.send({ type: 'frame', bytes: timeReply(150, 9000.2, 9000.3) }, 151), [], 'a copy (UDP duplicates)')
  assert.equal(r.send({ type: 'frame', bytes: timeReply(100, 8950) }, 152), [], 'overtaken by the newer reply')
  assert.is(r.state.lastHeardMs, 152, 'a dropped reply is still proof of life')
  r.send({ type: 'timeExchangeDue' }, 200)
  assert.equal(kinds(r.send({ type: 'frame', bytes: timeReply(200, 9050) }, 200.4)), ['timeSample'])
})

test("the time exchanges are the session's: they go on through a SWITCH and stop when the session ends", () => {
  const r = streaming()
  r.send({ type: 'timeExchangeDue' }, 10)
  r.send({ type: 'frame', bytes: frameFrom(MSG.SWITCH, { transport: 'udp', token: 'ab'.repeat(8) }) }, 11)
  assert.equal(kinds(r.send({ type: 'frame', bytes: timeReply(10, 500) }, 12)), ['timeSample'])
  assert.is(r.state.time.sent, 1)
  r.send({ type: 'disconnect', reason: 'gone' }, 20)
  assert.equal(r.send({ type: 'timeExchangeDue' }, 30), [], 'an ended rig asks nothing')
})

test('a malformed TIME_REPLY is a protocol error naming what is wrong', () => {
  for (const [bytes, reason] of [
    [encodeFrame(MSG.TIME_REPLY, new Uint8Array(8), { sessionId: SESSION }), 'TIME_REPLY payload must be 24 bytes, got 8'],
    [timeReply(1, 10, 9), 'TIME_REPLY was sent (t3 9) before its request arrived (t2 10)'],
    [timeReply(1, Number.NaN), 'TIME_REPLY timestamps must be finite numbers'],
  ] as const) {
    const r = streaming()
    const o = outcome(r.send({ type: 'frame', bytes }, 5))!.outcome
    assert.equal([o.code, o.reason], ['protocol-error', reason])
  }
})

test.run()
