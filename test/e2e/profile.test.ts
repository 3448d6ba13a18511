// Show profiles with the real CLI: a show and its rigs set up from one file, flags winning
// over it; a bad profile refused with every problem on its own line; profile check and
// schema; the operator's kick and mute (console keys, control commands) on a live show.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, run, serveOnFreePort, synchro } from '../helpers/cli.js'
import { wavData } from '../helpers/wav-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-profile-e2e-'))
const path = (n: string) => join(dir, n)
test.after(killAll)

test('serve --profile and join --profile --name: the show and each rig from one file; flags override it', async () => {
  writeFileSync(
    path('show.json'),
    JSON.stringify({
      name: 'Profile show',
      transport: 'udp',
      port: 1,
      source: 'tone:440',
      durationS: 1,
      format: { rateHz: 44100, channels: 1, sampleFormat: 's16le', framesPerPacket: 64 },
      rigs: [
        { name: 'left', sink: `wav:${path('left.wav')}`, transport: 'tcp' },
        { name: 'right', sink: `wav:${path('right.wav')}` },
      ],
    }),
  )
  // --port 0 (a flag) wins over the profile's port 1.
  const { server, port } = await serveOnFreePort(['--profile', path('show.json')])
  const listening = await server.event('listening')
  assert.equal(
    [listening.transport, listening.format.rateHz, listening.format.channels, listening.format.framesPerPacket],
    ['udp', 44100, 1, 64],
  )
  const left = synchro(['join', `127.0.0.1:${port}`, '--profile', path('show.json'), '--name', 'left', '--json'])
  const right = synchro(['join', `127.0.0.1:${port}`, '--profile', path('show.json'), '--name', 'right', '--json'])
  const codes = await Promise.all([left.exit, right.exit, server.exit])
  assert.equal(
    codes.map((c) => c.code),
    [0, 0, 0],
    left.stderr + right.stderr + server.stderr,
  )
  assert.is((await server.event('init')).rigs.length, 2, 'clients defaulted to the two rigs listed')
  const l = wavData(readFileSync(path('left.wav')))
  const r = wavData(readFileSync(path('right.wav')))
  assert.ok(l.length > 0 && l.equals(r), 'both rigs recorded the same show')
  assert.is((await right.event('summary')).transport, 'udp')
})

test('a bad profile: exit 2, every problem on its own line with the path of the bad field', async () => {
  writeFileSync(
    path('bad.json'),
    JSON.stringify({ name: 'x', port: 99999, rigs: [{ name: 'a' }, { name: 'b', midi: { channels: [17] } }] }),
  )
  const r = await run(['serve', '--profile', path('bad.json')])
  assert.is(r.code, 2)
  assert.equal(r.stderr.trim().split('\n'), [
    `synchro: ${path('bad.json')}: port: expected 0-65535, got 99999`,
    `synchro: ${path('bad.json')}: rigs[1].midi.channels[0]: expected 1-16, got 17`,
  ])
  const c = await run(['profile', 'check', path('bad.json')])
  assert.is(c.code, 2)
  assert.is(c.stderr.trim().split('\n').length, 2)
  const ok = await run(['profile', 'check', 'profiles/low-latency-udp.yaml'])
  assert.is(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /ok: 'Low-latency UDP show', udp port 7410, source tone:440, 2 rig\(s\) \(drums-iem, keys-iem\)/)
  const schema = await run(['profile', 'schema'])
  assert.is(JSON.parse(schema.stdout).properties.rigs.type, 'array')
  const which = await run(['join', '--profile', 'profiles/two-rig-tcp.json'])
  assert.is(which.code, 2)
  assert.match(which.stderr, /lists rigs stage-left, stage-right: say which this is with --name/)
})

test('kick and mute from the command layer: a muted rig gets silence in step, a kicked rig is dropped', async () => {
  const server = synchro(
    ['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--source', 'tone:440', '--clients', '2', '--control', '-'],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--json', '--sink', `wav:${path('a.wav')}`])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'b', '--json'])
  await server.event('init')
  await a.played(1) // the tone first
  server.child.stdin!.write('mute a\n')
  await server.waitFor((e) => e.event === 'muted' && e.name === 'a' && e.muted === true)
  // Muted for 0.7 s of what a played: counted from its first stats after the mute (the silence starts before it).
  const mutedFrom = (await a.next((e) => e.event === 'stats', 5000, 'stats after the mute')).framesPlayed
  await a.played(mutedFrom + 33_600)
  const fromKick = server.events.length
  server.child.stdin!.write('unmute a\nkick b\nmute nobody\n')
  await server.waitFor((e) => e.event === 'control' && e.command === 'mute' && e.ok === false)
  assert.is((await b.exit).code, 1, 'a kicked rig exits with an error')
  assert.match(b.stderr, /removed from the show by the operator/)
  // The show's levels are the last second's: one that a stall of a busy machine's server kept
  // from the tone reads -90 (a suite run with a core kept busy), so wait for a second with it in.
  const peaks: string[] = []
  const stats = await server
    .waitFor(
      (e) => {
        if (e.event !== 'stats' || e.rigs.length !== 1 || e.levels?.peakDb?.length !== 2) return false
        peaks.push(String(e.levels.peakDb))
        return e.levels.peakDb[0] > -13 && e.levels.peakDb[0] < -11
      },
      20_000,
      'the tone at -12 dBFS in the show levels',
      fromKick,
    )
    .catch((err: Error) => {
      throw new Error(`${err.message}; peaks seen: ${peaks.join(' / ')}`)
    })
  assert.ok(stats.levels.peakDb[0] > -13 && stats.levels.peakDb[0] < -11, `the tone's peak is -12 dBFS: ${stats.levels.peakDb}`)
  server.child.stdin!.write('terminate\n')
  assert.is((await a.exit).code, 0)
  await server.exit
  // Rig a's recording: tone, then a stretch of digital silence while muted, then tone again.
  const pcm = wavData(readFileSync(path('a.wav')))
  const frames = pcm.length / 4
  let silentRun = 0
  let longest = 0
  for (let i = 0; i < frames; i++) {
    silentRun = pcm.readInt16LE(i * 4) === 0 && pcm.readInt16LE(i * 4 + 2) === 0 ? silentRun + 1 : 0
    longest = Math.max(longest, silentRun)
  }
  assert.ok(longest > 48000 * 0.4, `a muted stretch of ${(longest / 48).toFixed(0)} ms`)
  assert.ok(pcm.readInt16LE((frames - 100) * 4) !== 0 || pcm.readInt16LE((frames - 101) * 4) !== 0, 'the tone came back')
})

test.run()
