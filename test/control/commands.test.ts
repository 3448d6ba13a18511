import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execute, parseCommand } from '../../src/control/commands.js'
import { ServerRunner } from '../../src/session/server-runner.js'
import { RigRunner } from '../../src/session/rig-runner.js'
import { memoryPair } from '../../transports/memory.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'
import { CountingSource } from '../helpers/counting-source.js'
import { serverConfig } from '../helpers/session.js'

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
  assert.match((before as { message: string }).message, /^waiting, 0 s up, position 0, 1 rig\(s\): a \(ready on memory, rtt - ms\)$/)
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

test.run()
