// Low-latency mode end to end: the real CLI over UDP on loopback, through the userspace
// impairment relay where a test needs a bad network, with real files compared block by block.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, serveOnFreePort, synchro, type Proc } from '../helpers/cli.js'
import { ImpairmentRelay, type Impairment } from '../helpers/impairment-relay.js'
import { wavData, writeNoiseWav } from '../helpers/wav-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-udp-'))
const path = (name: string) => join(dir, name)
const relays: ImpairmentRelay[] = []
const proxies: net.Server[] = []
test.after(async () => {
  killAll()
  for (const r of relays) await r.close()
  for (const p of proxies) p.close()
})

const BLOCK = 128 * 4 // 128 frames of 16-bit stereo

/** How a rig's recording compares with the source, in 128-frame blocks at their own offsets. */
function compare(source: Buffer, got: Buffer) {
  let exact = 0
  const blocks = Math.floor(source.length / BLOCK)
  for (let b = 0; b < blocks; b++) {
    if (got.subarray(b * BLOCK, (b + 1) * BLOCK).equals(source.subarray(b * BLOCK, (b + 1) * BLOCK))) exact++
  }
  return { blocks, exact, exactPct: (100 * exact) / blocks, lengthDiffFrames: (got.length - source.length) / 4 }
}

async function relay(port: number, o: Impairment): Promise<ImpairmentRelay> {
  const r = await ImpairmentRelay.start({ host: '127.0.0.1', port }, o)
  relays.push(r)
  return r
}

const joinUdp = (port: number, name: string, extra: string[] = []) =>
  synchro(['join', `127.0.0.1:${port}`, '--transport', 'udp', '--name', name, '--json', ...extra])

async function exits(...procs: Proc[]) {
  return (await Promise.all(procs.map((p) => p.exit))).map((e) => e.code)
}

test('UDP, no impairment: a WAV of noise arrives bit-exact at two rigs', async () => {
  const source = writeNoiseWav(path('clean.wav'), 2)
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', `wav:${path('clean.wav')}`, '--clients', '2'])
  const a = joinUdp(port, 'a', ['--sink', `wav:${path('clean-a.wav')}`])
  const b = joinUdp(port, 'b', ['--sink', `wav:${path('clean-b.wav')}`])
  assert.equal(await exits(a, b, server), [0, 0, 0], a.stderr + b.stderr + server.stderr)
  for (const [rig, file] of [
    [a, 'clean-a.wav'],
    [b, 'clean-b.wav'],
  ] as const) {
    const summary = await rig.event('summary')
    assert.equal(
      [summary.transport, summary.framesConcealed, summary.packetsLost, summary.packetsLate],
      ['udp', 0, 0, 0],
      JSON.stringify(summary),
    )
    assert.ok(wavData(readFileSync(path(file))).equals(source), `${file} differs from the source`)
  }
})

test('packets larger than the MTU are split into segments and arrive whole, in place', async () => {
  const source = writeNoiseWav(path('seg.wav'), 1, { seed: 3 })
  for (const args of [
    ['--frames', '1024'],
    ['--mtu', '576'],
  ]) {
    const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', `wav:${path('seg.wav')}`, ...args])
    const rig = joinUdp(port, 'seg', ['--sink', `wav:${path('seg-r.wav')}`])
    assert.equal(await exits(rig, server), [0, 0], rig.stderr + server.stderr)
    assert.ok(wavData(readFileSync(path('seg-r.wav'))).equals(source), `${args.join(' ')}: differs from the source`)
    assert.is((await rig.event('summary')).framesConcealed, 0)
  }
})

test('--redundancy that cannot fit the MTU is refused with what would fit', async () => {
  const { run } = await import('../helpers/cli.js')
  const r = await run(['serve', '--transport', 'udp', '--redundancy', '2', '--port', '0'])
  assert.is(r.code, 2)
  assert.match(r.stderr, /^synchro: --redundancy 2 does not fit a 1500-byte MTU with 128-frame packets \(at most 1\)/)
})

test('UDP through 5% loss, 2% upstream loss and 8 ms jitter: aligned, >= 90% of blocks exact, loss concealed', async () => {
  const source = writeNoiseWav(path('lossy.wav'), 4, { seed: 99 })
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', `wav:${path('lossy.wav')}`, '--clients', '2'])
  const net1 = await relay(port, { seed: 1, lossPct: 5, upstreamLossPct: 2, jitterMs: 8 })
  const net2 = await relay(port, { seed: 2, lossPct: 5, upstreamLossPct: 2, jitterMs: 8 })
  const a = joinUdp(net1.port, 'a', ['--sink', `wav:${path('lossy-a.wav')}`])
  const b = joinUdp(net2.port, 'b', ['--sink', `wav:${path('lossy-b.wav')}`])
  assert.equal(await exits(a, b, server), [0, 0, 0], a.stderr + b.stderr + server.stderr)
  for (const [rig, file] of [
    [a, 'lossy-a.wav'],
    [b, 'lossy-b.wav'],
  ] as const) {
    const c = compare(source, wavData(readFileSync(path(file))))
    const summary = await rig.event('summary')
    assert.ok(Math.abs(c.lengthDiffFrames) <= 256, `${file}: length off by ${c.lengthDiffFrames} frames`)
    assert.ok(c.exactPct >= 90, `${file}: only ${c.exactPct.toFixed(1)}% of blocks exact`)
    assert.ok(summary.framesConcealed > 0 && summary.packetsLost > 0, JSON.stringify(summary))
  }
  assert.ok(net1.down.dropped > 0 && net1.up.dropped >= 0)
})

test('after a 2-second outage the stream is back within a second of the path returning', async () => {
  const source = writeNoiseWav(path('outage.wav'), 6, { seed: 5 })
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', `wav:${path('outage.wav')}`])
  const outage = { startMs: 2000, durationMs: 2000 }
  const net1 = await relay(port, { seed: 3, outage })
  const rig = joinUdp(net1.port, 'r', ['--sink', `wav:${path('outage-r.wav')}`])
  await rig.event('silent', 5000)
  await rig.event('recovered', 5000)
  const pathBackAt = (net1 as unknown as { startedMs: number }).startedMs + outage.startMs + outage.durationMs
  const backAfterMs = Date.now() - pathBackAt
  assert.ok(backAfterMs < 1000, `stream back ${backAfterMs} ms after the path returned`)
  assert.equal(await exits(rig, server), [0, 0], rig.stderr + server.stderr)
  assert.not.ok(
    server.events.some((e) => e.event === 'left'),
    'the server kept the rig through the outage',
  )
  const c = compare(source, wavData(readFileSync(path('outage-r.wav'))))
  assert.ok(Math.abs(c.lengthDiffFrames) <= 256, `length off by ${c.lengthDiffFrames} frames: the outage was concealed in place`)
  assert.ok(c.exactPct > 55 && c.exactPct < 75, `${c.exactPct.toFixed(1)}% exact: everything but the ~2 s outage`)
})

test('TERMINATE ends every rig even at 10% loss both ways', async () => {
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', 'tone:440', '--clients', '3', '--duration', '1'])
  const rigs: Proc[] = []
  for (let i = 0; i < 3; i++) {
    const n = await relay(port, { seed: 10 + i, lossPct: 10, upstreamLossPct: 10 })
    rigs.push(joinUdp(n.port, `r${i}`))
  }
  assert.equal(await exits(...rigs, server), [0, 0, 0, 0], rigs.map((r) => r.stderr).join('') + server.stderr)
  for (const r of rigs) assert.is((await r.event('terminate')).code, 'duration')
})

test('a live switch to UDP and back to TCP keeps both rigs playing, in place', async () => {
  const source = writeNoiseWav(path('switch.wav'), 4, { seed: 8 })
  const server = synchro(
    ['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--source', `wav:${path('switch.wav')}`, '--clients', '2', '--control', '-'],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'a', '--json', '--sink', `wav:${path('switch-a.wav')}`])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'b', '--json', '--sink', `wav:${path('switch-b.wav')}`])
  await server.event('init')
  await a.played(24_000) // half a second on TCP first
  server.child.stdin!.write('switch udp\n')
  const sent = Date.now()
  await server.waitFor((e) => e.event === 'switched' && e.name === 'a' && e.to === 'udp')
  await server.waitFor((e) => e.event === 'switched' && e.name === 'b' && e.to === 'udp')
  assert.ok(Date.now() - sent < 1000, 'both rigs moved within a second')
  // Half a second on UDP: counted from a's first stats on UDP.
  const udpFrom = (await a.waitFor((e) => e.event === 'stats' && e.transport === 'udp')).framesPlayed
  const onUdp = await a.waitFor(
    (e) => e.event === 'stats' && e.transport === 'udp' && e.framesPlayed >= udpFrom + 24_000,
    5000,
    'half a second on UDP',
  )
  server.child.stdin!.write('switch tcp\n')
  await server.waitFor((e) => e.event === 'switched' && e.name === 'b' && e.to === 'tcp')
  await server.waitFor((e) => e.event === 'switched' && e.name === 'a' && e.to === 'tcp')
  assert.equal(await exits(a, b), [0, 0], a.stderr + b.stderr)
  server.child.stdin!.end()
  assert.is((await server.exit).code, 0, server.stderr)
  for (const [rig, file] of [
    [a, 'switch-a.wav'],
    [b, 'switch-b.wav'],
  ] as const) {
    const summary = await rig.event('summary')
    assert.equal([summary.switches, summary.transport], [2, 'tcp'])
    const c = compare(source, wavData(readFileSync(path(file))))
    assert.ok(Math.abs(c.lengthDiffFrames) <= 256, `${file}: length off by ${c.lengthDiffFrames}`)
    assert.ok(c.exactPct >= 97, `${file}: ${c.exactPct.toFixed(1)}% exact across two switches`)
  }
  assert.ok(onUdp.framesPlayed > 0)
  const control = server.events.filter((e) => e.event === 'control').map((e) => e.ok)
  assert.equal(control, [true, true])
})

test('a rig that cannot reach UDP stays on TCP, and the server says so', async () => {
  const server = synchro(
    ['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--source', 'tone:440', '--control', '-', '--duration', '3'],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port
  // The rig reaches the server through a TCP-only forwarder: its port has no UDP behind it.
  const proxy = net.createServer((c) => {
    const up = net.connect(port, '127.0.0.1')
    c.pipe(up).pipe(c)
    c.on('error', () => up.destroy())
    up.on('error', () => c.destroy())
  })
  proxies.push(proxy)
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()))
  const proxyPort = (proxy.address() as net.AddressInfo).port
  const rig = synchro(['join', `127.0.0.1:${proxyPort}`, '--name', 'walled', '--json'])
  await server.event('init')
  server.child.stdin!.write('switch udp\n')
  const failed = await server.event('switch-failed', 5000)
  assert.is(failed.name, 'walled')
  assert.match(failed.reason, /udp/i)
  assert.ok((await rig.event('switch-failed')).reason)
  assert.is((await rig.exit).code, 0, rig.stderr)
  server.child.stdin!.end()
  assert.is((await server.exit).code, 0, server.stderr)
  const summary = await rig.event('summary')
  assert.equal([summary.transport, summary.switches], ['tcp', 0])
  assert.ok(summary.framesPlayed > 100_000, 'it kept playing on TCP')
})

test('a rig whose server vanishes reports it, then exits non-zero', async () => {
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', 'tone:440'])
  const rig = joinUdp(port, 'orphan')
  await rig.event('init')
  await rig.played(1) // streaming when the server vanishes
  server.kill('SIGKILL')
  await rig.event('silent', 5000)
  const { code } = await rig.exit
  assert.is(code, 1)
  assert.match(rig.stderr, /lost the server/)
})

test('--retry: a rig that lost the server for longer than the timeout rejoins the same show when the path is back', async () => {
  const server = synchro(
    ['serve', '--host', '127.0.0.1', '--port', '0', '--json', '--transport', 'udp', '--source', 'tone:440', '--control', '-'],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port
  const net1 = await relay(port, { seed: 4, outage: { startMs: 1500, durationMs: 4500 } })
  const rig = joinUdp(net1.port, 'stubborn', ['--retry', '--connect-timeout', '500'])
  await rig.event('init')
  const retrying = await rig.event('retrying', 8000)
  assert.match(retrying.reason, /lost the server/)
  await server.waitFor((e) => e.event === 'joined' && e.name === 'stubborn' && e.late === true, 10_000, 'a second join')
  await rig.waitFor((e) => e.event === 'init' && e.position > 0, 3000, 'INIT at the live position')
  server.child.stdin!.write('terminate\n')
  assert.equal(await exits(rig, server), [0, 0], rig.stderr + server.stderr)
  assert.is((await rig.event('summary')).sessions, 2)
})

test('a rig that vanishes from UDP is dropped by the server within a few seconds; the show goes on', async () => {
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
      '--source',
      'tone:440',
      '--clients',
      '2',
      '--control',
      '-',
    ],
    { stdin: 'pipe' },
  )
  const port = (await server.event('listening')).port
  const gone = joinUdp(port, 'gone')
  const stays = joinUdp(port, 'stays')
  await server.event('init')
  await stays.event('init')
  const killedAt = Date.now()
  gone.kill('SIGKILL')
  const left = await server.waitFor((e) => e.event === 'left' && e.name === 'gone', 6000, 'gone to be dropped')
  const afterMs = Date.now() - killedAt
  assert.ok(afterMs < 4500, `dropped after ${afterMs} ms`)
  assert.match(left.reason, /timed out: nothing heard for 3\.\d s/)
  const before = (await stays.waitFor((e) => e.event === 'stats')).framesPlayed
  await stays.waitFor((e) => e.event === 'stats' && e.framesPlayed > before + 40_000, 3000, 'the other rig to keep playing')
  server.child.stdin!.write('terminate\n')
  assert.equal(await exits(stays, server), [0, 0])
})

test('garbage datagrams at the server port are counted and ignored; the show goes on', async () => {
  const dgram = await import('node:dgram')
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', 'tone:440', '--duration', '1.5'])
  const rig = joinUdp(port, 'steady')
  await server.event('init')
  const s = dgram.createSocket('udp4')
  for (let i = 0; i < 200; i++) s.send(Buffer.alloc((i * 7) % 1400, i), port, '127.0.0.1')
  s.send(Buffer.from('SY\x01\x0a'), port, '127.0.0.1')
  assert.equal(await exits(rig, server), [0, 0], rig.stderr + server.stderr)
  s.close()
  const summary = await rig.event('summary')
  assert.is(summary.packetsLost, 0)
})

test.run()
