// Clock sync end to end: real rigs on loopback estimate the server's clock over TCP and UDP
// (stats.clock), and the estimate is the session's: a live switch does not reset it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, serveOnFreePort, synchro, type JsonEvent } from '../helpers/cli.js'

test.after(killAll)

/** Loopback: the best round trip of a window is well under a millisecond idle; 5 ms leaves room for a loaded machine. */
const SMALL_RTT_MS = 5
const BOUNDED_ERROR_MS = 5

function checkClock(stats: JsonEvent, transport: string, sinceSpawnMs: number): void {
  const c = stats.clock
  const where = `${transport}: ${JSON.stringify(c)}`
  assert.is(stats.transport, transport, where)
  assert.ok(c.rttMs >= 0 && c.rttMs < SMALL_RTT_MS, where)
  assert.ok(c.errorMs > 0 && c.errorMs < BOUNDED_ERROR_MS, where)
  // Both clocks count from their own process's start, and the rig started after the server.
  assert.ok(c.offsetMs > 0 && c.offsetMs < sinceSpawnMs, `${where}: the server started at most ${sinceSpawnMs} ms before the rig`)
  assert.ok(Math.abs(c.driftPpm) <= 500, where)
}

test('a rig on TCP reports stats.clock; after a live switch to UDP the same estimate goes on counting', async () => {
  const spawnedAt = Date.now()
  const server = synchro(['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--clients', '1', '--control', '-'], { stdin: 'pipe' })
  const port = (await server.event('listening')).port as number
  const rig = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--json'])
  const sinceSpawn = () => Date.now() - spawnedAt
  // The burst gives 8 samples in the first 0.4 s; stats come once a second from INIT.
  const onTcp = await rig.waitFor((e) => e.event === 'stats' && e.clock !== null && e.clock.samples >= 8, 20_000, 'a clock on TCP')
  checkClock(onTcp, 'tcp', sinceSpawn())
  server.child.stdin!.write('switch udp\n')
  await rig.waitFor((e) => e.event === 'switched' && e.to === 'udp')
  const onUdp = await rig.next(
    (e) => e.event === 'stats' && e.transport === 'udp' && e.clock.samples > onTcp.clock.samples + 1,
    20_000,
    'the clock on UDP',
  )
  checkClock(onUdp, 'udp', sinceSpawn())
  server.child.stdin!.write('terminate\n')
  const summary = await rig.event('summary')
  assert.ok(summary.clock.samples >= onUdp.clock.samples, 'the summary carries the same estimate')
  assert.equal((await rig.exit).code, 0, rig.stderr)
})

test('a rig that joins a UDP show reports stats.clock on UDP from its first exchanges', async () => {
  const spawnedAt = Date.now()
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--clients', '1', '--duration', '4'])
  const rig = synchro(['join', `127.0.0.1:${port}`, '--transport', 'udp', '--name', 'u', '--json'])
  const stats = await rig.waitFor((e) => e.event === 'stats' && e.clock !== null && e.clock.samples >= 8, 20_000, 'a clock on UDP')
  checkClock(stats, 'udp', Date.now() - spawnedAt)
  assert.equal([(await rig.exit).code, (await server.exit).code], [0, 0], rig.stderr + server.stderr)
  assert.is((await rig.event('summary')).clock.steps, 0, 'no steps on a quiet loopback')
})

test.run()
