import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame, encodeControl, encodeFrame, encodePingPong, readControl, MEDIA_MAX_PAYLOAD } from '../../src/codec/messages.js'
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
  encodeControl({ type: MSG.HELLO, body: { version: 1, serverName: 'foh', format: FORMAT, maxPayload: 512, pingIntervalMs: 1000, ...over } as never }, { sessionId: SESSION })
const init = () => encodeControl({ type: MSG.INIT, body: { position: 256 } }, { sessionId: SESSION, timestamp: 256 })
const audio = (seq: number, codec: number = CODEC.pcm_s16le) => encodeFrame(MSG.AUDIO, new Uint8Array(512), { codec, seq, sessionId: SESSION, timestamp: 256 + seq * 128 })
const terminate = (code: string) => encodeControl({ type: MSG.TERMINATE, body: { reason: `because ${code}`, code } }, { sessionId: SESSION })
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
  assert.equal(kinds(fx), ['send', 'setMaxPayload', 'notify'])
  assert.equal(sentBody(fx[0]!), { type: MSG.HELLO_REPLY, body: { version: 1, name: 'left', meta: { a: 1 } } })
  assert.equal(fx[1], { kind: 'setMaxPayload', bytes: 512 })
  assert.equal(fx[2], { kind: 'notify', notice: { event: 'handshake', serverName: 'foh', format: FORMAT, sessionId: SESSION } })
  assert.is(r.state.phase, 'ready')
})

test('INIT starts streaming; AUDIO is delivered with its header', () => {
  const r = streaming()
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
  for (const [code, ok] of [['end-of-source', true], ['operator', true], ['duration', true], ['protocol-error', false], ['timeout', false]] as const) {
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
  assert.equal(p.map((f) => (f.kind === 'send' ? decodeFrame(f.frame, 64).header.type : f.kind)), ['notify', MSG.PING])
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
  assert.match(outcome(r.send({ type: 'frame', bytes: audio(1, CODEC.pcm_f32le) }, 5))!.outcome.reason, "AUDIO with codec 3, the show's format is s16le")
})

test('SWITCH asks the runner to move, with the token; early AUDIO on an unordered link is dropped, not fatal', () => {
  const r = new RigDriver()
  r.send({ type: 'connected' }, 0)
  r.send({ type: 'frame', bytes: hello() }, 0)
  const fx = r.send({ type: 'frame', bytes: frameFrom(MSG.SWITCH, { transport: 'udp', token: 'ab'.repeat(8) }) }, 1)
  assert.equal(fx.map((f) => f.kind), ['notify', 'switch'])
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
  REPORT: () => frameFrom(MSG.REPORT, { packetsReceived: 0, packetsLost: 0, packetsLate: 0, packetsRecovered: 0, framesConcealed: 0, underruns: 0, jitterMs: 0, bufferMs: 0 }),
  BUNDLE: () => encodeFrame(MSG.BUNDLE, new Uint8Array(0), { sessionId: SESSION }),
}
const ALLOWED: Record<string, string[]> = {
  handshake: ['HELLO', 'TERMINATE', 'PING', 'PONG'],
  ready: ['INIT', 'TERMINATE', 'PING', 'PONG', 'SWITCH'],
  streaming: ['AUDIO', 'TERMINATE', 'PING', 'PONG', 'SWITCH'],
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

test.run()
