// The server's view of its rigs' sync, end to end: two real rigs, one at the show's latency
// and one with its own `join --latency`, and the server's stats and `status` say which is
// out of step and by how much. (Whether a rig is in time or late is the rig's to measure:
// this checks the figures the server derives from its REPORTs, whatever state it reports.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, schemaProblems, synchro, type JsonEvent } from '../helpers/cli.js'

test.after(killAll)

const rigNamed = (e: JsonEvent, name: string) => (e.rigs as JsonEvent[]).find((r) => r.name === name)

test("a rig with its own latency is out of step in the server's stats and status; one at the show's is not", async () => {
  const server = synchro(['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--clients', '2', '--control', '-'], {
    stdin: 'pipe',
  })
  const port = (await server.event('listening')).port as number
  const inStep = synchro(['join', `127.0.0.1:${port}`, '--name', 'in-step', '--json'])
  const own = synchro(['join', `127.0.0.1:${port}`, '--name', 'own', '--json', '--latency', '35'])
  // REPORTs come twice a second from INIT; stats once a second.
  const stats = await server.waitFor(
    (e) => e.event === 'stats' && rigNamed(e, 'in-step')?.sync != null && rigNamed(e, 'own')?.sync != null,
    20_000,
    'both rigs reporting their sync',
  )
  const show = stats.showLatencyMs as number
  assert.is(show, 20, 'a show without serve --latency plays at the default')
  const a = rigNamed(stats, 'in-step')!.sync
  const b = rigNamed(stats, 'own')!.sync
  assert.equal([a.latencyMs, a.offsetMs, a.outOfStepMs], [show, 0, 0], JSON.stringify(a))
  assert.equal([b.latencyMs, b.offsetMs, b.outOfStepMs], [35, 0, 35 - show], JSON.stringify(b))
  server.child.stdin!.write('status\n')
  const status = await server.waitFor((e) => e.event === 'control' && e.ok === true && e.status !== undefined)
  assert.match(status.message, /latency 20 ms, 2 rig\(s\)/)
  const rigs = (status.message as string).slice((status.message as string).indexOf(': ') + 2)
  const words = (name: string) => rigs.split(/, (?=[a-z-]+ \()/).find((w) => w.startsWith(`${name} (`)) ?? ''
  // Out of step is said once the rig plays on the show clock; before that it has no clock yet.
  assert.match(
    words('own'),
    /, (no clock yet|out of step by \+15 ms \(own latency 35 ms\)|late by [\d.]+ ms, out of step by \+15 ms \(own latency 35 ms\))\)$/,
  )
  assert.match(words('in-step'), /, (no clock yet|in time|late by [\d.]+ ms)\)$/)
  server.child.stdin!.write('terminate\n')
  assert.equal([(await inStep.exit).code, (await own.exit).code, (await server.exit).code], [0, 0, 0], server.stderr)
  const summary = await server.event('summary')
  assert.is(rigNamed(summary, 'own')!.sync.outOfStepMs, 15, "the summary keeps each rig's last sync")
  assert.equal(schemaProblems, [], 'every line matched its schema')
})

test.run()
