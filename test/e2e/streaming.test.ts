// The real CLI on loopback: real processes, real sockets, real files compared byte for byte.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, serveOnFreePort, synchro } from '../helpers/cli.js'
import { wavData, writeNoiseWav } from '../helpers/wav-fixtures.js'
import { pace } from '../helpers/wait.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-e2e-'))
const path = (name: string) => join(dir, name)
// A failed assertion must not leave servers running (they would keep this process alive).
test.after(killAll)

test("a WAV of noise through serve arrives bit-exact in two rigs' WAV sinks", async () => {
  writeNoiseWav(path('noise.wav'), 2)
  const { server, port } = await serveOnFreePort(['--source', `wav:${path('noise.wav')}`, '--clients', '2'])
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--sink', `wav:${path('a.wav')}`, '--json'])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'b', '--sink', `wav:${path('b.wav')}`, '--json'])
  const [sa, sb, ss] = await Promise.all([a.exit, b.exit, server.exit])
  assert.equal([sa.code, sb.code, ss.code], [0, 0, 0], a.stderr + b.stderr + server.stderr)
  const source = readFileSync(path('noise.wav'))
  assert.ok(readFileSync(path('a.wav')).equals(source), 'rig a: file differs from the source')
  assert.ok(readFileSync(path('b.wav')).equals(source), 'rig b: file differs from the source')
  const handshake = await a.event('handshake')
  assert.equal([handshake.rate, handshake.channels, handshake.format, handshake.frames], [48000, 2, 's16le', 128])
  const summary = await a.event('summary')
  assert.equal([summary.framesPlayed, summary.framesConcealed, summary.packetsLost], [96000, 0, 0])
  assert.ok(summary.jitterMs >= 0 && summary.jitterMs < 50, `jitter ${summary.jitterMs} ms on loopback`)
  assert.ok(
    a.events.some((e) => e.event === 'stats' && typeof e.framesPlayed === 'number'),
    'rig reports stats while streaming',
  )
  const end = await server.event('terminate')
  assert.is(end.code, 'end-of-source')
  assert.ok(
    server.events.some((e) => e.event === 'stats'),
    'server reports stats',
  )
  assert.is((await server.event('summary')).rigsJoined, 2)
})

test('24-bit and float WAVs pass through bit-exact to a raw stdout sink', async () => {
  for (const format of ['s24le', 'f32le'] as const) {
    const data = writeNoiseWav(path(`in-${format}.wav`), 0.5, { format, channels: 1, rateHz: 44100 })
    // A pipe plays on the show clock, where audio later than the latency is concealed: this test is
    // about the samples, so the show's latency is far beyond any stall of a loaded machine.
    const { server, port } = await serveOnFreePort(['--source', `wav:${path(`in-${format}.wav`)}`, '--latency', '1000'])
    const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', 'raw:-', '--json'], { eventsOn: 'stderr' })
    assert.is((await rig.exit).code, 0, rig.stderr)
    assert.is((await server.exit).code, 0)
    assert.ok(Buffer.concat(rig.stdoutBytes).equals(data), `${format}: raw stdout differs from the WAV's samples`)
  }
})

test('raw PCM piped into serve is sent as it arrives and recorded exactly', async () => {
  const pcm = Buffer.alloc(48000 * 2 * 2)
  for (let i = 0; i < pcm.length; i++) pcm[i] = (i * 37) & 0xff
  const server = synchro(['serve', '--host', '127.0.0.1', '--port', '0', '--source', 'raw:-', '--json'], { stdin: 'pipe' })
  const port = (await server.event('listening')).port
  const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', `raw:${path('piped.raw')}`, '--json'])
  await server.event('init')
  // Write in uneven pieces, as a real producer would.
  for (let off = 0; off < pcm.length; off += 10_007) {
    server.child.stdin!.write(pcm.subarray(off, off + 10_007))
    await pace(5)
  }
  server.child.stdin!.end()
  assert.is((await rig.exit).code, 0, rig.stderr)
  assert.is((await server.exit).code, 0)
  assert.ok(readFileSync(path('piped.raw')).equals(pcm))
})

test('a rig that joins mid-show plays from the live position to the end', async () => {
  // 4 s of show: the late rig, started once the first has played a second, joins well before the end even on a loaded machine.
  const data = writeNoiseWav(path('long.wav'), 4)
  const { server, port } = await serveOnFreePort(['--source', `wav:${path('long.wav')}`, '--clients', '1'])
  const first = synchro(['join', `127.0.0.1:${port}`, '--name', 'first', '--json'])
  await server.event('init')
  await first.played(48000)
  const late = synchro(['join', `127.0.0.1:${port}`, '--name', 'late', '--sink', `wav:${path('late.wav')}`, '--json'])
  const joined = await server.waitFor((e) => e.event === 'joined' && e.name === 'late')
  assert.is(joined.late, true)
  const init = await late.event('init')
  assert.ok(init.position > 24_000, `late rig started at ${init.position}`)
  assert.equal([(await late.exit).code, (await first.exit).code, (await server.exit).code], [0, 0, 0])
  // Exactly the source from the rig's INIT position on.
  assert.ok(wavData(readFileSync(path('late.wav'))).equals(data.subarray(init.position * 4)))
})

test('a killed rig is noticed and the other keeps playing to the end', async () => {
  const data = writeNoiseWav(path('kill.wav'), 3)
  const { server, port } = await serveOnFreePort(['--source', `wav:${path('kill.wav')}`, '--clients', '2'])
  const keep = synchro(['join', `127.0.0.1:${port}`, '--name', 'keep', '--sink', `wav:${path('keep.wav')}`, '--json'])
  const doomed = synchro(['join', `127.0.0.1:${port}`, '--name', 'doomed', '--json'])
  await server.event('init')
  await doomed.played(1) // mid-show: it is playing when it dies
  doomed.kill('SIGKILL')
  const left = await server.waitFor((e) => e.event === 'left' && e.name === 'doomed', 4000)
  assert.match(left.reason, /connection closed|ECONNRESET|timed out/)
  assert.equal([(await keep.exit).code, (await server.exit).code], [0, 0])
  assert.ok(wavData(readFileSync(path('keep.wav'))).equals(data))
})

test('a frozen rig whose socket stays open is dropped by keep-alive within a few seconds', async () => {
  const { server, port } = await serveOnFreePort(['--source', 'tone:440', '--clients', '2', '--ping-ms', '1000'])
  const live = synchro(['join', `127.0.0.1:${port}`, '--name', 'live', '--json'])
  const frozen = synchro(['join', `127.0.0.1:${port}`, '--name', 'frozen', '--json'])
  await server.event('init')
  frozen.kill('SIGSTOP')
  const t0 = Date.now()
  const left = await server.waitFor((e) => e.event === 'left' && e.name === 'frozen', 8000)
  const noticedMs = Date.now() - t0
  assert.ok(noticedMs < 5000, `noticed after ${noticedMs} ms`)
  assert.match(left.reason, /timed out: nothing heard for|fell behind/)
  const before = (await live.waitFor((e) => e.event === 'stats' && e.framesPlayed > 0)).framesPlayed
  const after = (await live.next((e) => e.event === 'stats' && e.framesPlayed > before + 30_000, 5000, 'the live rig to keep playing'))
    .framesPlayed
  assert.ok(after > before + 30_000, 'the live rig kept playing')
  frozen.kill('SIGCONT')
  server.kill('SIGINT')
  assert.equal([(await server.exit).code, (await live.exit).code], [0, 0])
  const fr = await frozen.exit
  assert.is.not(fr.code, 0, 'the frozen rig, dropped, does not claim a clean exit')
})

test('SIGINT on the server sends TERMINATE to every rig; all exit 0 with valid WAVs', async () => {
  const { server, port } = await serveOnFreePort(['--source', 'tone:1000', '--clients', '2'])
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--sink', `wav:${path('int-a.wav')}`, '--json'])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'b', '--json'])
  await server.event('init')
  await a.played(28_800) // 0.6 s recorded, so the WAV has more than the half second asserted below
  server.kill('SIGINT')
  const [ss, sa, sb] = await Promise.all([server.exit, a.exit, b.exit])
  assert.equal([ss.code, sa.code, sb.code], [0, 0, 0])
  assert.is((await a.event('terminate')).code, 'operator')
  const file = readFileSync(path('int-a.wav'))
  const samples = wavData(file)
  assert.is(file.readUInt32LE(40), samples.length)
  assert.is(samples.length, (await a.event('summary')).framesPlayed * 4)
  assert.ok(samples.length > 48000 * 4 * 0.5)
})

test('SIGINT on a rig flushes its WAV, exits 0, and the server sees it leave', async () => {
  const { server, port } = await serveOnFreePort(['--source', 'tone', '--clients', '1'])
  const rig = synchro(['join', `127.0.0.1:${port}`, '--name', 'solo', '--sink', `wav:${path('solo.wav')}`, '--json'])
  await server.event('init')
  await rig.played(1) // it has recorded something to flush
  rig.kill('SIGINT')
  assert.is((await rig.exit).code, 0)
  const left = await server.waitFor((e) => e.event === 'left')
  assert.is(left.reason, 'rig left: rig stopped by operator (SIGINT)')
  const file = readFileSync(path('solo.wav'))
  assert.is(file.readUInt32LE(40), file.length - 44)
  server.kill('SIGTERM')
  assert.is((await server.exit).code, 0)
})

test('--duration ends the show after that much streaming', async () => {
  const { server, port } = await serveOnFreePort(['--duration', '0.5'])
  const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', `raw:${path('dur.raw')}`, '--json'])
  assert.equal([(await rig.exit).code, (await server.exit).code], [0, 0])
  assert.is((await server.event('terminate')).code, 'duration')
  const frames = readFileSync(path('dur.raw')).length / 4
  assert.ok(Math.abs(frames - 24000) <= 512, `recorded ${frames} frames for 0.5 s`)
})

test('garbage on the server port is refused; real rigs are unaffected', async () => {
  const net = await import('node:net')
  const { server, port } = await serveOnFreePort(['--clients', '1', '--duration', '1'])
  const rig = synchro(['join', `127.0.0.1:${port}`, '--json'])
  const junk = net.connect(port, '127.0.0.1', () => junk.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
  junk.on('error', () => {})
  const rejected = await server.event('rejected')
  assert.match(rejected.reason, /not a Synchro frame/)
  assert.equal([(await rig.exit).code, (await server.exit).code], [0, 0])
  junk.destroy()
})

test('an operator drives the show through --control -: status, init, a bad command, terminate', async () => {
  const server = synchro(['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--clients', '0', '--control', '-'], { stdin: 'pipe' })
  const port = (await server.event('listening')).port
  const rig = synchro(['join', `127.0.0.1:${port}`, '--name', 'keys', '--json'])
  await server.event('joined')
  const say = (line: string) => server.child.stdin!.write(line + '\n')
  say('status')
  const status = await server.waitFor((e) => e.event === 'control' && e.command === 'status')
  assert.equal([status.ok, status.status.phase, status.status.rigs[0].name], [true, 'waiting', 'keys'])
  say('bogus')
  const bad = await server.waitFor((e) => e.event === 'control' && e.ok === false)
  assert.match(bad.error, /unknown command 'bogus'/)
  say('init')
  await server.event('init')
  await rig.waitFor((e) => e.event === 'stats' && e.framesPlayed > 0)
  say('terminate end of set')
  assert.equal([(await rig.exit).code, (await server.exit).code], [0, 0])
  assert.is((await rig.event('terminate')).reason, 'end of set')
})

test.run()
