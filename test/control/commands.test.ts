import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execute, parseCommand } from '../../src/control/commands.js'
import { ServerRunner } from '../../src/session/server-runner.js'
import { RigRunner } from '../../src/session/rig-runner.js'
import { memoryPair } from '../../transports/memory.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'
import { CountingSource } from '../helpers/counting-source.js'
import { frameFrom, helloReply, serverConfig } from '../helpers/session.js'
import { MSG } from '../../src/codec/header.js'
import type { SyncReport } from '../../src/codec/messages.js'

const PARSE: Array<[string, unknown]> = [
  ['status', { kind: 'status' }],
  ['  INIT ', { kind: 'init' }],
  ['start', { kind: 'init' }],
  ['terminate', { kind: 'terminate', reason: 'stopped by operator command' }],
  ['stop end of set two', { kind: 'terminate', reason: 'end of set two' }],
  ['help', { kind: 'help' }],
  ['switch udp', { kind: 'switch', to: 'udp' }],
  ['SWITCH Tcp', { kind: 'switch', to: 'tcp' }],
  ['switch pigeon', { error: "switch takes udp or tcp, got 'pigeon'" }],
  ['panic', { kind: 'panic' }],
  ['kick stage left', { kind: 'kick', name: 'stage left' }],
  ['mute keys', { kind: 'mute', name: 'keys', muted: true }],
  ['unmute keys', { kind: 'mute', name: 'keys', muted: false }],
  ['mute', { error: 'mute takes a rig name' }],
  [
    'dance',
    {
      error:
        "unknown command 'dance' (commands: status | init | switch udp|tcp | panic | kick RIG | mute RIG | unmute RIG | terminate [REASON] | help)",
    },
  ],
  ['', { error: 'empty command' }],
]
for (const [line, expected] of PARSE) {
  test(`parse '${line}'`, () => assert.equal(parseCommand(line), expected))
}

test('init starts a show waiting for an operator, once; terminate ends it, once', async () => {
  const clock = new ManualClock()
  const server = new ServerRunner({
    config: serverConfig({ clients: 0 }),
    source: new CountingSource({ rateHz: 48000, channels: 2, format: 's16le' }, clock, 100_000),
    clock,
    onNotice: () => {},
  })
  server.listening()
  const [s, r] = memoryPair()
  server.attach(s)
  const rig = new RigRunner({
    config: { name: 'a', meta: {} },
    transport: r,
    sink: new MemorySink(),
    latencyMs: 20,
    clock,
    onNotice: () => {},
  })
  await clock.advance(100)
  const before = execute(server, { kind: 'status' })
  assert.ok(before.ok && before.status!.phase === 'waiting' && before.status!.rigs.length === 1)
  assert.match(
    (before as { message: string }).message,
    /^waiting, 0 s up, position 0, latency 20 ms, 1 rig\(s\): a \(ready on memory, rtt - ms\)$/,
  )
  assert.equal(execute(server, { kind: 'init' }), { ok: true, command: 'init', message: 'show started' })
  await clock.advance(500)
  assert.is(rig.phase, 'streaming')
  assert.ok(rig.stats().framesPlayed > 0)
  assert.equal(execute(server, { kind: 'init' }), { ok: false, command: 'init', error: 'cannot start: the show is streaming' })
  assert.equal(execute(server, { kind: 'terminate', reason: 'end of set' }), {
    ok: true,
    command: 'terminate',
    message: 'terminating: end of set',
  })
  await clock.advance(100)
  const outcome = await rig.done
  assert.equal([outcome.ok, outcome.reason], [true, 'end of set'])
  assert.equal(execute(server, { kind: 'terminate', reason: 'again' }), {
    ok: false,
    command: 'terminate',
    error: 'the show has already ended',
  })
})

const HEARD = {
  packetsReceived: 10,
  packetsLost: 0,
  packetsLate: 0,
  packetsRecovered: 0,
  framesConcealed: 0,
  underruns: 0,
  jitterMs: 0.5,
  bufferMs: 5,
  midiReceived: 0,
  midiLost: 0,
}

test("status lists every rig's sync state: in time, late by N ms, no clock yet, out of step (own latency or offset)", async () => {
  const clock = new ManualClock()
  const server = new ServerRunner({
    config: serverConfig({ clients: 1, showLatencyMs: 10 }),
    source: new CountingSource({ rateHz: 48000, channels: 2, format: 's16le' }, clock, 100_000),
    clock,
    onNotice: () => {},
  })
  server.listening()
  // Rigs speaking the protocol by hand: each sends HELLO_REPLY, then the REPORT the test wants.
  const sync = (over: Partial<SyncReport>): SyncReport => ({
    state: 'in-time',
    errorMs: 0.2,
    lateMs: 0,
    latencyMs: 10,
    offsetMs: 0,
    ...over,
  })
  const rigs: Array<[string, SyncReport | null]> = [
    ['a', sync({})],
    ['b', sync({ state: 'late', lateMs: 3.21 })],
    ['c', sync({ state: 'no-clock', errorMs: null })],
    ['d', sync({ latencyMs: 25 })],
    ['e', sync({ offsetMs: -1.5 })],
    ['f', null],
  ]
  for (const [name, report] of rigs) {
    const [s, r] = memoryPair()
    server.attach(s)
    r.send(helloReply(name))
    if (report) r.send(frameFrom(MSG.REPORT, { ...HEARD, sync: report }))
  }
  await clock.advance(10)
  const status = execute(server, { kind: 'status' })
  assert.ok(status.ok)
  assert.equal(
    status.status!.rigs.map((r) => [r.name, r.sync?.state ?? null, r.sync?.outOfStepMs ?? null]),
    [
      ['a', 'in-time', 0],
      ['b', 'late', 0],
      ['c', 'no-clock', 0],
      ['d', 'in-time', 15],
      ['e', 'in-time', -1.5],
      ['f', null, null],
    ],
  )
  assert.is(status.status!.showLatencyMs, 10)
  const rig = (name: string, sync: string) => `${name} (streaming on memory, rtt - ms, lost 0, jitter 0.5 ms, ${sync})`
  assert.is(
    status.message.replace(/position \d+/, 'position P'),
    'streaming, 0 s up, position P, latency 10 ms, 6 rig(s): ' +
      [
        rig('a', 'in time'),
        rig('b', 'late by 3.2 ms'),
        rig('c', 'no clock yet'),
        rig('d', 'out of step by +15 ms (own latency 25 ms)'),
        rig('e', 'out of step by -1.5 ms (offset -1.5 ms)'),
        'f (streaming on memory, rtt - ms, no sync report yet)',
      ].join(', '),
  )
})

test.run()
