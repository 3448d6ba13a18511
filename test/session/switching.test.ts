// A live transport switch through the runners, on a manual clock: memory pairs stand in
// for TCP and UDP connections (labelled so the session treats them as such), so the whole
// move (SWITCH, a new connection, HELLO, RESUME, RESUMED, rebind) runs without sockets.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair } from '../../transports/memory.js'
import type { Transport } from '../../transports/transport.js'
import { ServerRunner } from '../../src/session/server-runner.js'
import { RigRunner, type RigRunnerNotice } from '../../src/session/rig-runner.js'
import type { ServerNotice } from '../../src/session/server-machine.js'
import { execute } from '../../src/control/commands.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { MemorySink } from '../helpers/memory-sink.js'
import { CountingSource } from '../helpers/counting-source.js'
import { serverConfig } from '../helpers/session.js'

/** A memory transport that says it is TCP or UDP. */
function as<T extends Transport>(t: T, kind: 'tcp' | 'udp'): T {
  Object.defineProperty(t, 'kind', { value: kind })
  Object.defineProperty(t, 'reliable', { value: kind === 'tcp' })
  return t
}

function show(o: { udpReachable: boolean }) {
  const clock = new ManualClock()
  const source = new CountingSource({ rateHz: 48000, channels: 2, format: 's16le' }, clock, 1500) // 4 s of 128-frame packets
  const notices: ServerNotice[] = []
  const server = new ServerRunner({ config: serverConfig({ clients: 1 }), source, clock, onNotice: (n) => notices.push(n) })
  server.listening()
  // As with a socket, the server's first bytes (HELLO) arrive on a later turn of the event
  // loop than the one the connection is handed over on.
  const connect = (kind: 'tcp' | 'udp'): Transport => {
    const [s, r] = memoryPair()
    setImmediate(() => server.attach(as(s, kind)))
    return as(r, kind)
  }
  const rigNotices: RigRunnerNotice[] = []
  const sink = new MemorySink()
  const rig = new RigRunner({
    config: { name: 'a', meta: {} },
    transport: connect('tcp'),
    sink,
    latencyMs: 20,
    clock,
    onNotice: (n) => rigNotices.push(n),
    connect: async (kind) => {
      if (kind === 'udp' && !o.udpReachable) throw new Error('cannot reach the server on udp: connection refused')
      return connect(kind)
    },
  })
  return { clock, source, server, notices, rig, rigNotices, sink }
}

test('switch udp then tcp: the rig moves and back, keeping its name, counters and place; nothing lost', async () => {
  const s = show({ udpReachable: true })
  await s.clock.advance(1000)
  const before = s.server.stats().rigs[0]!
  assert.equal([before.name, before.transport], ['a', 'tcp'])
  const answer = execute(s.server, { kind: 'switch', to: 'udp' })
  assert.equal(answer, { ok: true, command: 'switch', message: 'show on udp (was tcp); moving 1 rig(s)' })
  await s.clock.advance(50)
  assert.equal(
    s.notices.filter((n) => n.event === 'switched').map((n) => [n.event, (n as { to: string }).to]),
    [['switched', 'udp']],
  )
  assert.equal(s.rig.stats().transport, 'udp')
  const onUdp = s.server.stats().rigs[0]!
  assert.equal([onUdp.name, onUdp.transport, onUdp.phase], ['a', 'udp', 'streaming'])
  assert.ok(onUdp.framesSent > before.framesSent, 'counters carried over from the old connection')
  await s.clock.advance(1000)
  execute(s.server, { kind: 'switch', to: 'tcp' })
  await s.clock.advance(3000)
  assert.equal(s.rig.stats().switches, 2)
  assert.equal(s.rig.stats().transport, 'tcp')
  assert.not.ok(
    s.notices.some((n) => n.event === 'left'),
    'the rig never left the show',
  )
  const outcome = await s.rig.done
  assert.ok(outcome.ok, outcome.reason)
  // The recording is the whole source, in place: the moves lost nothing.
  assert.ok(s.sink.bytes.equals(s.source.bytes), 'recording differs from the source')
})

test('a rig that cannot reach the other transport stays, tells the server why, and plays on', async () => {
  const s = show({ udpReachable: false })
  await s.clock.advance(500)
  execute(s.server, { kind: 'switch', to: 'udp' })
  await s.clock.advance(100)
  const failed = s.notices.find((n) => n.event === 'switch-failed') as { name: string; reason: string } | undefined
  assert.ok(failed, 'the server reports the rig that stayed')
  assert.equal([failed.name, failed.reason], ['a', 'cannot reach the server on udp: connection refused'])
  assert.equal(s.rigNotices.filter((n) => n.event === 'switch-failed').length, 1)
  assert.is(s.server.stats().rigs[0]!.transport, 'tcp')
  assert.is(s.server.stats().rigs[0]!.switchingTo, null)
  await s.clock.advance(4000)
  const outcome = await s.rig.done
  assert.ok(outcome.ok)
  assert.ok(s.sink.bytes.equals(s.source.bytes))
})

test("the clock estimate is the session's: its samples keep counting across both switches, and it stays exact", async () => {
  const s = show({ udpReachable: true })
  assert.is(s.rig.stats().clock, null, 'no exchange yet')
  await s.clock.advance(1000)
  const onTcp = s.rig.stats().clock!
  // Server and rig share this manual clock and the memory links take no time: offset, round trip and error are ~0.
  assert.equal([onTcp.offsetMs, onTcp.rttMs, onTcp.steps], [0, 0, 0])
  assert.ok(onTcp.errorMs <= 0.5, `errorMs ${onTcp.errorMs}`)
  assert.ok(onTcp.samples >= 8, `the burst: ${onTcp.samples}`)
  execute(s.server, { kind: 'switch', to: 'udp' })
  await s.clock.advance(1500)
  assert.is(s.rig.stats().transport, 'udp')
  const onUdp = s.rig.stats().clock!
  assert.ok(onUdp.samples > onTcp.samples, `${onUdp.samples} after ${onTcp.samples}: not reset by the switch`)
  execute(s.server, { kind: 'switch', to: 'tcp' })
  await s.clock.advance(1500)
  const back = s.rig.stats().clock!
  assert.ok(back.samples > onUdp.samples)
  assert.equal([back.offsetMs, back.steps], [0, 0])
  await s.clock.advance(2000)
  assert.ok((await s.rig.done).ok)
})

test.run()
