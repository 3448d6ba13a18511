// The rig runner performs the machine's effects: the media opens on openMedia (HELLO) and
// starts on startPlayout (INIT), not on the operator's notices; MIDI that overtakes INIT on
// UDP is held and played once INIT is in; the server's MIDI leaves at its show time (or at
// once with --midi-timing immediate), and a TERMINATE lets the last of it play at its time.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair } from '../../transports/memory.js'
import type { Transport } from '../../transports/transport.js'
import type { AudioSink } from '../../src/audio/sink.js'
import type { SourceFormat } from '../../src/audio/source.js'
import { MSG } from '../../src/codec/header.js'
import { CODEC } from '../../src/codec/format.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  encodeTime,
  readTime,
  MEDIA_MAX_PAYLOAD,
} from '../../src/codec/messages.js'
import { encodeMidiFrame } from '../../src/codec/midi.js'
import type { MidiTiming } from '../../src/midi/delivery.js'
import type { MidiOutput } from '../../src/midi/endpoint.js'
import { MEDIA_WAIT_MS, RigRunner, type RigRunnerNotice } from '../../src/session/rig-runner.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { FORMAT, SESSION } from '../helpers/session.js'

/** Records what happened to it, in order, alongside the notices. */
class LogSink implements AudioSink {
  readonly description = 'log'
  bytes = 0
  constructor(private readonly log: string[]) {}
  open(format: SourceFormat): void {
    this.log.push(`open ${format.rateHz}/${format.channels}/${format.format}`)
  }
  write(pcm: Uint8Array): void {
    this.bytes += pcm.byteLength
  }
  async close(): Promise<void> {
    this.log.push('close')
  }
}

function as<T extends Transport>(t: T, kind: 'tcp' | 'udp'): T {
  Object.defineProperty(t, 'kind', { value: kind })
  Object.defineProperty(t, 'reliable', { value: kind === 'tcp' })
  return t
}

function setup(kind: 'tcp' | 'udp', midiTiming?: MidiTiming) {
  const clock = new ManualClock()
  const [server, rig] = memoryPair()
  as(rig, kind)
  const log: string[] = []
  const sink = new LogSink(log)
  const fromRig: number[] = []
  server.on('frame', (f: Uint8Array) => fromRig.push(decodeFrame(f, MEDIA_MAX_PAYLOAD).header.type))
  const played: Array<[number, number[]]> = []
  const output: MidiOutput = { description: 'out', send: (d) => void played.push([clock.now(), [...d]]), close: async () => {} }
  const runner = new RigRunner({
    config: { name: 'left', meta: {} },
    transport: rig,
    sink,
    latencyMs: 20,
    clock,
    onNotice: (n: RigRunnerNotice) => log.push(`notice ${n.event}`),
    midiOutputs: [output],
    ...(midiTiming ? { midiTiming } : {}),
  })
  const send = async (...frames: Uint8Array[]) => {
    for (const f of frames) server.send(f)
    await clock.advance(0)
  }
  return { clock, server, runner, sink, log, fromRig, send, played }
}

const hello = () =>
  encodeControl(
    { type: MSG.HELLO, body: { version: 1, serverName: 'foh', format: FORMAT, maxPayload: 2048, pingIntervalMs: 1000 } },
    { sessionId: SESSION },
  )
const init = (position: number) =>
  encodeControl({ type: MSG.INIT, body: { position, timeline: null } }, { sessionId: SESSION, timestamp: position })
const audio = (seq: number, timestamp: number) =>
  encodeFrame(MSG.AUDIO, new Uint8Array(FORMAT.framesPerPacket * 4), { codec: CODEC.pcm_s16le, seq, sessionId: SESSION, timestamp })
const midi = (position = 1000, serial = 0, data = [0x90, 60, 100]) =>
  encodeMidiFrame([{ serial, position, flags: 0, data: new Uint8Array(data) }], 0, 1, {
    seq: serial,
    sessionId: SESSION,
    timestamp: position,
    oldest: serial,
  })
const terminate = (position: number) =>
  encodeControl(
    { type: MSG.TERMINATE, body: { reason: 'the show is over', code: 'end-of-source' } },
    { sessionId: SESSION, timestamp: position },
  )

test('HELLO opens the sink (before the operator hears of it); INIT starts the playout at its position', async () => {
  const s = setup('tcp')
  await s.send(hello())
  assert.equal(s.log, ['open 48000/2/s16le', 'notice handshake'])
  assert.equal(s.fromRig, [MSG.HELLO_REPLY, MSG.TIME_REQUEST], 'and the first time exchange of the burst')
  await s.send(init(1000), audio(0, 1000), audio(1, 1128))
  assert.is(s.runner.phase, 'streaming')
  await s.clock.advance(19)
  assert.is(s.sink.bytes, 0, 'nothing before --latency')
  await s.clock.advance(10)
  assert.ok(s.sink.bytes > 0)
  assert.is(s.runner.stats().framesReceived, 256)
  s.runner.stop('done')
  await s.runner.done
  assert.equal(s.log, ['open 48000/2/s16le', 'notice handshake', 'notice init', 'close'])
})

/** A sink that plays only once `play()` is called: a sound card opening in its device host. */
class SlowCardSink extends LogSink {
  private resolve: () => void = () => {}
  private readonly playing = new Promise<void>((r) => (this.resolve = r))
  ready(): Promise<void> {
    return this.playing
  }
  play(): void {
    this.resolve()
  }
}

function setupSlowCard() {
  const clock = new ManualClock()
  const [server, rig] = memoryPair()
  const log: string[] = []
  const sink = new SlowCardSink(log)
  const fromRig: number[] = []
  server.on('frame', (f: Uint8Array) => fromRig.push(decodeFrame(f, MEDIA_MAX_PAYLOAD).header.type))
  const runner = new RigRunner({
    config: { name: 'left', meta: {} },
    transport: rig,
    sink,
    latencyMs: 20,
    clock,
    onNotice: (n: RigRunnerNotice) => log.push(`notice ${n.event}`),
  })
  return { clock, server, runner, sink, fromRig }
}

test('a card that takes a while to open: HELLO_REPLY (what --clients counts) waits until it plays; time exchanges go on meanwhile', async () => {
  const s = setupSlowCard()
  s.server.send(hello())
  await s.clock.advance(0)
  assert.is(s.runner.phase, 'opening')
  await s.clock.advance(400)
  assert.not.ok(s.fromRig.includes(MSG.HELLO_REPLY), 'not joined while the card opens')
  assert.ok(s.fromRig.filter((t) => t === MSG.TIME_REQUEST).length >= 8, 'the burst of time exchanges went on')
  s.sink.play()
  await s.clock.advance(0)
  assert.is(s.fromRig.filter((t) => t === MSG.HELLO_REPLY).length, 1)
  assert.is(s.runner.phase, 'ready')
  s.server.send(init(0))
  await s.clock.advance(0)
  assert.is(s.runner.phase, 'streaming')
  s.runner.stop('done')
  await s.runner.done
})

test(`a card that does not play within ${MEDIA_WAIT_MS} ms: the rig joins anyway (the server drops a rig silent in its handshake after 5 s)`, async () => {
  const s = setupSlowCard()
  s.server.send(hello())
  // The server's keep-alive meanwhile (HELLO's 1 s interval): the rig hears it.
  for (let ms = 0; ms < MEDIA_WAIT_MS - 500; ms += 500) {
    await s.clock.advance(500)
    s.server.send(encodePingPong(MSG.PING, ms, { sessionId: SESSION }))
  }
  await s.clock.advance(499)
  assert.not.ok(s.fromRig.includes(MSG.HELLO_REPLY))
  assert.is(s.runner.phase, 'opening')
  await s.clock.advance(1)
  assert.is(s.fromRig.filter((t) => t === MSG.HELLO_REPLY).length, 1)
  s.sink.play()
  await s.clock.advance(0)
  assert.is(s.fromRig.filter((t) => t === MSG.HELLO_REPLY).length, 1, 'answered once')
  s.runner.stop('done')
  await s.runner.done
})

test("the playout starts at INIT's position: audio missing between it and the first packet is filled", async () => {
  const s = setup('tcp')
  await s.send(hello(), init(1000), audio(1, 1128))
  await s.clock.advance(200)
  const st = s.runner.stats()
  // On TCP the gap is silence and the empty buffer after the packet is waited for, not concealed.
  assert.equal([st.framesReceived, st.framesConcealed, st.framesPlayed], [128, 128, 256])
  s.runner.stop('done')
  await s.runner.done
})

test('on UDP, MIDI that overtakes INIT is held and played once INIT is in', async () => {
  const s = setup('udp')
  await s.send(hello(), midi())
  assert.is(s.runner.midiStats().received, 0, 'held, not dispatched before INIT')
  await s.send(init(1000))
  assert.is(s.runner.midiStats().received, 1)
  assert.ok(s.fromRig.includes(MSG.MIDI_ACK), 'acknowledged on UDP')
  s.runner.stop('done')
  await s.runner.done
})

test('on TCP, MIDI before INIT is a protocol error (the held path is for UDP only)', async () => {
  const s = setup('tcp')
  await s.send(hello(), midi())
  const outcome = await s.runner.done
  assert.equal([outcome.code, outcome.reason], ['protocol-error', 'MIDI before INIT'])
})

/** The server's side of the time exchange: its clock reads 5000 ms ahead of the rig's, and it answers at once. */
function answersTime(s: ReturnType<typeof setup>): void {
  s.server.on('frame', (f: Uint8Array) => {
    const frame = decodeFrame(f, MEDIA_MAX_PAYLOAD)
    if (frame.header.type !== MSG.TIME_REQUEST) return
    const { t1 } = readTime(frame)
    const t2 = s.clock.now() + 5000
    s.server.send(encodeTime(MSG.TIME_REPLY, { t1, t2, t3: t2 }, { sessionId: SESSION }))
  })
}

/** INIT with the show timeline: `position` is at `serverMs` on the server's clock. */
const initAt = (position: number, serverMs: number) =>
  encodeControl(
    { type: MSG.INIT, body: { position, timeline: { position, serverMs, driftPpm: 0 } } },
    { sessionId: SESSION, timestamp: position },
  )

test("--midi-timing show (the default): the server's MIDI leaves at its show position's time, and a TERMINATE waits for it", async () => {
  const s = setup('tcp')
  answersTime(s)
  await s.send(hello())
  await s.clock.advance(400) // the time exchanges' burst: the rig knows the server's clock
  // Position 1000 is at server time 5400 (the rig's 400); with --latency 20, position 1480 (10 ms later) leaves at 430, 1960 at 440.
  await s.send(initAt(1000, 5400), audio(0, 1000))
  await s.clock.advance(10)
  await s.send(midi(1480, 0))
  await s.clock.advance(10)
  await s.send(midi(1960, 1, [0x80, 60, 0]))
  await s.clock.advance(5)
  assert.equal(s.played, [], 'nothing before its time')
  await s.send(terminate(2048))
  await s.clock.advance(50)
  await s.runner.done
  assert.equal(s.played, [
    [430, [0x90, 60, 100]],
    [440, [0x80, 60, 0]],
  ])
  assert.is(s.runner.midiStats().late, 0)
})

test("--midi-timing immediate: the server's MIDI leaves the moment it arrives; MIDI stamped too long ago is late only on the show's clock", async () => {
  const s = setup('tcp', 'immediate')
  await s.send(hello(), init(1000), audio(0, 1000), midi(1480, 0))
  assert.equal(s.played, [[0, [0x90, 60, 100]]])
  const show = setup('tcp')
  answersTime(show)
  await show.send(hello())
  await show.clock.advance(400)
  await show.send(initAt(1000, 5400), audio(0, 1000))
  await show.clock.advance(100)
  await show.send(midi(1480, 0))
  assert.equal(show.played, [[500, [0x90, 60, 100]]], 'due at 430 ms, arrived at 500: at once')
  assert.is(show.runner.midiStats().late, 1)
  for (const r of [s, show]) {
    r.runner.stop('done')
    await r.runner.done
  }
})

test('the runner asks for the time on its clock, feeds the replies to the estimate, and stats.clock reports it', async () => {
  const s = setup('udp')
  // A server whose clock reads 5000 ms ahead of the rig's, 0.5 ms away each way.
  let requests = 0
  s.server.on('frame', (f: Uint8Array) => {
    const frame = decodeFrame(f, MEDIA_MAX_PAYLOAD)
    if (frame.header.type !== MSG.TIME_REQUEST) return
    requests++
    const { t1 } = readTime(frame)
    s.clock.setTimeout(() => {
      const t2 = s.clock.now() + 5000
      s.clock.setTimeout(() => s.server.send(encodeTime(MSG.TIME_REPLY, { t1, t2, t3: t2 }, { sessionId: SESSION })), 0.5)
    }, 0.5)
  })
  await s.send(hello())
  assert.is(s.runner.stats().clock, null, 'no reply yet')
  await s.clock.advance(400)
  const burst = s.runner.stats().clock!
  assert.equal([requests, burst.samples, burst.rttMs, burst.steps], [8, 8, 1, 0])
  assert.ok(Math.abs(burst.offsetMs - 5000) < 0.001, `offset ${burst.offsetMs}`)
  assert.ok(burst.errorMs >= 0.5 && burst.errorMs < 1, `errorMs ${burst.errorMs}`)
  await s.clock.advance(3000)
  assert.is(requests, 11, 'then one a second')
  s.runner.stop('done')
  await s.runner.done
  await s.clock.advance(5000)
  assert.is(requests, 11, 'none after the session ended')
})

test.run()
