// The --json events as a contract: one show driven through most of what it can say (two
// rigs on UDP and TCP, MIDI from a file, status, a refused command, mute, a switch, a kick,
// terminate), a rig that retries, and the tool commands. Every line every process prints
// is checked against src/session/events.ts by the CLI helper; here we also check that the
// run said each thing it should have, so the check covers the whole union in practice.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, run, schemaProblems, synchro, type Proc } from '../helpers/cli.js'
import { writeShowMid } from '../helpers/midi-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-events-'))
test.after(killAll)

const names = (p: Proc) => new Set(p.events.map((e) => e.event))

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

test('a whole show: every line of the server and both rigs matches its documented schema', async () => {
  writeShowMid(join(dir, 'show.mid'), 20)
  const server = synchro(
    [
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--json',
      '--transport',
      'udp',
      '--clients',
      '0',
      '--control',
      '-',
      '--midi-in',
      `file:${join(dir, 'show.mid')}`,
      '--midi-out',
      'log',
    ],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port as number
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--json', '--transport', 'udp', '--midi-out', 'log'])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'b', '--json'])
  await server.waitFor((e) => e.event === 'joined' && e.name === 'a')
  await server.waitFor((e) => e.event === 'joined' && e.name === 'b')
  // b joined on TCP and the show is on UDP: the server moves it at once. Until it has moved,
  // its second connection is a third entry in the status.
  await server.waitFor((e) => e.event === 'switched' && e.name === 'b' && e.to === 'udp')
  const say = (line: string) => server.child.stdin!.write(`${line}\n`)

  say('status')
  const status = await server.waitFor((e) => e.event === 'control' && e.ok === true && e.status !== undefined)
  assert.is(status.status.rigs.length, 2)
  say('bogus')
  await server.waitFor((e) => e.event === 'control' && e.ok === false)
  say('init')
  await a.event('init')
  await a.waitFor((e) => e.event === 'midi')
  await a.event('stats')
  await server.event('stats')
  say('mute b')
  await server.waitFor((e) => e.event === 'muted' && e.name === 'b')
  say('switch tcp')
  await a.waitFor((e) => e.event === 'switched' && e.to === 'tcp')
  await server.waitFor((e) => e.event === 'switched' && e.name === 'a')
  say('kick b')
  await server.waitFor((e) => e.event === 'left' && e.name === 'b')
  say('terminate')
  assert.is((await a.exit).code, 0)
  assert.is((await b.exit).code, 1, 'a kicked rig exits 1')
  await server.exit

  const show = names(server)
  for (const n of ['listening', 'joined', 'control', 'init', 'stats', 'muted', 'switch', 'switched', 'left', 'terminate', 'summary']) {
    assert.ok(show.has(n), `the show said ${n}`)
  }
  const rig = names(a)
  for (const n of ['handshake', 'init', 'midi', 'stats', 'switch', 'switched', 'terminate', 'summary'])
    assert.ok(rig.has(n), `rig a said ${n}`)
  assert.equal(schemaProblems, [], 'every line matched its schema')
})

test('a rig that retries, and the tool commands, print what the document says', async () => {
  const port = await closedPort()
  const rig = synchro(['join', `127.0.0.1:${port}`, '--name', 'r', '--json', '--retry', '--connect-timeout', '500'])
  await rig.event('retrying', 20_000)
  rig.kill('SIGTERM')
  await rig.exit

  const profile = join(dir, 'show.json')
  writeFileSync(profile, JSON.stringify({ name: 'events', rigs: [{ name: 'left', sink: 'null' }] }))
  const checked = await run(['profile', 'check', profile, '--json'])
  assert.is(checked.code, 0, checked.stderr)
  const devices = await run(['devices', '--json'], 30_000)
  assert.is(devices.code, 0, devices.stderr)
  assert.match(devices.stdout, /"event":"devices"/)
  assert.equal(schemaProblems, [])
})

test.run()
