// Server and rig runners wired through in-memory transports, on a manual clock.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair } from '../../transports/memory.js'
import { ServerRunner } from '../../src/session/server-runner.js'
import { RigRunner, type RigRunnerNotice } from '../../src/session/rig-runner.js'
import type { ServerNotice } from '../../src/session/server-machine.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'
import { CountingSource } from '../helpers/counting-source.js'
import { serverConfig } from '../helpers/session.js'
import type { MidiInput, MidiInputHandlers, MidiOutput } from '../../src/midi/endpoint.js'

const FORMAT = { rateHz: 48000, channels: 2, format: 's16le' as const }

function show(clients: number, packets: number) {
  const clock = new ManualClock()
  const source = new CountingSource(FORMAT, clock, packets)
  const notices: ServerNotice[] = []
  const server = new ServerRunner({ config: serverConfig({ clients }), source, clock, onNotice: (n) => notices.push(n) })
  server.listening()
  const rig = (name: string) => {
    const [s, r] = memoryPair()
    const sink = new MemorySink()
    const rigNotices: RigRunnerNotice[] = []
    server.attach(s)
    const runner = new RigRunner({
      config: { name, meta: {} },
      transport: r,
      sink,
      latencyMs: 20,
      clock,
      onNotice: (n) => rigNotices.push(n),
    })
    return { runner, sink, notices: rigNotices }
  }
  return { clock, source, server, notices, rig }
}

test('two rigs receive the source bit-exact, and exit gracefully at its end', async () => {
  const s = show(2, 375) // one second of 128-frame packets
  const a = s.rig('a')
  const b = s.rig('b')
  await s.clock.advance(2000)
  const [oa, ob] = await Promise.all([a.runner.done, b.runner.done])
  assert.equal([oa.ok, oa.code, ob.ok], [true, 'end-of-source', true])
  assert.ok(a.sink.bytes.equals(s.source.bytes), 'rig a has every byte')
  assert.ok(b.sink.bytes.equals(s.source.bytes), 'rig b has every byte')
  assert.ok(a.sink.closed && b.sink.closed)
  assert.equal(
    s.notices.map((n) => n.event),
    ['joined', 'joined', 'init', 'terminate'],
  )
  const summary = await s.server.done
  assert.equal([summary.packetsBroadcast, summary.rigsJoined, summary.rigs.length], [375, 2, 2])
  assert.equal(a.runner.stats().underruns, 0)
})

test('a late rig starts at the live position and plays to the end', async () => {
  const s = show(1, 750)
  const a = s.rig('a')
  await s.clock.advance(1000)
  const late = s.rig('late')
  await s.clock.advance(2000)
  const outcome = await late.runner.done
  assert.ok(outcome.ok)
  assert.equal(
    late.notices.map((n) => n.event),
    ['handshake', 'init', 'terminate'],
  )
  const init = late.notices[1] as { position: number }
  assert.ok(init.position > 40_000, `joined at ${init.position}`)
  // What the late rig has is exactly the tail of the show from its INIT position.
  const offset = init.position * 4
  assert.ok(late.sink.bytes.equals(s.source.bytes.subarray(offset)))
  assert.ok(a.sink.bytes.equals(s.source.bytes))
})

test('a rig that goes silent is dropped by keep-alive; the other plays on', async () => {
  const s = show(2, 5000)
  const a = s.rig('a')
  const b = s.rig('b')
  await s.clock.advance(500)
  // Freeze rig b: it stops answering (its transport stays open).
  ;(b.runner as unknown as { dispatch: () => void }).dispatch = () => {}
  ;(b.runner as unknown as { sendReport: () => void }).sendReport = () => {}
  await s.clock.advance(3000)
  const left = s.notices.find((n) => n.event === 'left') as Extract<ServerNotice, { event: 'left' }>
  assert.ok(left, 'rig b was noticed')
  assert.is(left.name, 'b')
  assert.match(left.reason, /^timed out: nothing heard for 1\.[5-9] s$/)
  const before = a.runner.stats().framesPlayed
  await s.clock.advance(500)
  assert.ok(a.runner.stats().framesPlayed > before + 20_000, 'rig a keeps playing')
  s.server.terminate('done', 'operator')
  await s.clock.advance(100)
  assert.ok((await a.runner.done).ok)
})

test('operator terminate ends every rig with exit-0 outcomes', async () => {
  const s = show(1, 100_000)
  const a = s.rig('a')
  await s.clock.advance(300)
  s.server.terminate('stopped by operator (SIGINT)', 'operator')
  await s.clock.advance(100)
  const o = await a.runner.done
  assert.equal([o.ok, o.code, o.reason], [true, 'operator', 'stopped by operator (SIGINT)'])
  const summary = await s.server.done
  assert.is(summary.code, 'operator')
})

/** A MIDI input the test plays by hand, and an output that records what it was sent. */
function midiPort() {
  let on: MidiInputHandlers | undefined
  const input: MidiInput = { description: 'keys', finite: false, invalidBytes: 0, start: (h) => void (on = h), stop: () => {} }
  const played: number[][] = []
  let closed = false
  const output: MidiOutput = { description: 'synth', send: (d) => void played.push([...d]), close: async () => void (closed = true) }
  return { input, output, played, play: (...data: number[]) => on!.message(Uint8Array.from(data)), closed: () => closed }
}

test("MIDI both ways through the runners: server input to the rig, rig to the server output; a kicked rig's notes are released; panic", async () => {
  const clock = new ManualClock()
  const server = midiPort()
  const rig = midiPort()
  const notices: ServerNotice[] = []
  const runner = new ServerRunner({
    config: serverConfig({ clients: 1 }),
    source: new CountingSource(FORMAT, clock, 100_000),
    clock,
    onNotice: (n) => notices.push(n),
    midiInputs: [server.input],
    midiOutputs: [server.output],
  })
  runner.listening()
  const [s, r] = memoryPair()
  runner.attach(s)
  const a = new RigRunner({
    config: { name: 'a', meta: {} },
    transport: r,
    sink: new MemorySink(),
    latencyMs: 20,
    clock,
    onNotice: () => {},
    midiOutputs: [rig.output],
  })
  await clock.advance(100)
  server.play(0x90, 60, 100)
  a.pushMidi(Uint8Array.of(0x91, 62, 90))
  await clock.advance(50)
  assert.equal(rig.played, [[0x90, 60, 100]], "the server's keys reach the rig")
  assert.equal(server.played, [[0x91, 62, 90]], "the rig's keys reach the server's output")
  assert.equal(
    runner.stats().rigs.map((x) => [x.name, x.midiIn]),
    [['a', 1]],
  )
  assert.equal([a.midiStats().received, a.midiStats().sent], [1, 1])
  assert.ok(runner.kick('a'))
  await clock.advance(50)
  assert.equal(server.played.at(-1), [0x81, 62, 0], "what the kicked rig held is released on the server's output")
  assert.equal(rig.played.at(-1), [0x80, 60, 0], 'and the rig silences what it was playing')
  runner.midiPanic()
  assert.equal(server.played.length, 2 + 32)
  // The panic goes into the show like any message from the server's inputs (1 + 32 in).
  assert.equal(runner.midiStats(), { messagesIn: 1 + 32, messagesOut: 2 + 32, invalidBytes: 0, expired: 0, released: 1 })
  runner.terminate('done', 'operator')
  await clock.advance(100)
  const summary = await runner.done
  assert.equal(
    summary.rigs.map((x) => [x.name, x.phase, x.midiIn]),
    [['a', 'left', 1]],
  )
  assert.equal(summary.midi, runner.midiStats())
  assert.ok(server.closed(), 'the server closes its MIDI outputs at the end')
  assert.not.ok(rig.closed(), "a rig's outputs belong to its caller")
})

test.run()
