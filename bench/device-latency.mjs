// Device-to-device latency through a real userspace audio path (jackd -d dummy with four
// loopback ports, ALSA's jack plugin, PortAudio): a probe plays an impulse a second into
// device bench_a; the server captures bench_a (--source device), a rig plays to bench_b
// (--sink device); the probe hears it come back on bench_b. The probe's own buffers are
// measured first on a direct loop (play bench_b, hear bench_b) and subtracted, so the
// figure is the path's: capture buffer, network, jitter buffer, playback buffer. Beside it,
// the bare baseline: one Node process capturing bench_a and sending each buffer over UDP to
// another that plays bench_b, through the same probe.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, ROOT, spawnNode, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'

const SERVER = `synchro-bench-${process.pid}`
const IMPULSE_EVERY_MS = 1000

function asoundrc() {
  const home = mkdtempSync(join(tmpdir(), 'synchro-bench-alsa-'))
  const dev = (n, a, b) => `pcm.${n}_jack {
  type jack
  playback_ports { 0 loopback:playback_${a} 1 loopback:playback_${b} }
  capture_ports { 0 loopback:capture_${a} 1 loopback:capture_${b} }
}
pcm.${n} { type plug slave.pcm ${n}_jack }
`
  writeFileSync(join(home, '.asoundrc'), dev('bench_a', 1, 2) + dev('bench_b', 3, 4))
  return home
}

/** Runs `fn` with a private jackd (-d dummy, 4 loopback ports) and an .asoundrc naming bench_a and bench_b. */
async function withLoopback(fn) {
  const home = asoundrc()
  const vars = { HOME: home, JACK_DEFAULT_SERVER: SERVER, JACK_NO_START_SERVER: '1' }
  const env = { ...process.env, ...vars }
  let xruns = 0
  const jackd = spawn('jackd', ['-n', SERVER, '-L', '4', '-d', 'dummy', '-r', '48000', '-p', '64'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  })
  const countXruns = (c) => (xruns += (c.toString().match(/XRun/g) ?? []).length)
  jackd.stdout.on('data', countXruns)
  jackd.stderr.on('data', countXruns)
  const socket = `/dev/shm/jack_${SERVER}_${process.getuid()}_0`
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50)
  if (!existsSync(socket)) throw new Error('jackd -d dummy did not start (needs jackd2: bash .ci/run installs it)')
  // The probe runs in this process: PortAudio here must read the same .asoundrc.
  const saved = {
    HOME: process.env.HOME,
    JACK_DEFAULT_SERVER: process.env.JACK_DEFAULT_SERVER,
    JACK_NO_START_SERVER: process.env.JACK_NO_START_SERVER,
  }
  Object.assign(process.env, vars)
  try {
    return await fn(env, () => xruns)
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v)
    jackd.kill('SIGTERM')
    await new Promise((r) => jackd.once('exit', r))
  }
}

/** Plays an impulse a second into `out` and times its first return on `inp` (ms, one per impulse heard). */
async function probe(out, inp, count) {
  const pa = createRequire(import.meta.url)('naudiodon2')
  const devs = pa.getDevices()
  const opts = (n) => ({
    deviceId: devs.find((d) => d.name === n).id,
    sampleRate: 48000,
    channelCount: 2,
    sampleFormat: pa.SampleFormat16Bit,
    framesPerBuffer: 64,
    closeOnError: false,
    maxQueue: 2,
  })
  const ao = pa.AudioIO({ outOptions: opts(out) })
  const ai = pa.AudioIO({ inOptions: opts(inp) })
  const lat = []
  let sentAt
  ai.on('data', (b) => {
    if (sentAt === undefined) return
    for (let i = 0; i < b.length; i += 4) {
      if (Math.abs(b.readInt16LE(i)) > 8000) {
        lat.push(performance.now() - sentAt)
        sentAt = undefined
        return
      }
    }
  })
  ai.start()
  ao.start()
  const silence = Buffer.alloc(64 * 4)
  const impulse = Buffer.alloc(64 * 4)
  impulse.writeInt16LE(30000, 0)
  impulse.writeInt16LE(30000, 2)
  const write = (b) => new Promise((r) => ao.write(b, r))
  const perImpulse = Math.round(((IMPULSE_EVERY_MS / 1000) * 48000) / 64)
  // Written one buffer at a time, paced by the card, so the time of a write is when it enters the card's queue.
  for (let k = 0; k < (count + 2) * perImpulse; k++) {
    if (k >= 2 * perImpulse && k % perImpulse === 0) {
      sentAt = undefined
      await write(impulse)
      sentAt = performance.now()
    } else await write(silence)
  }
  await sleep(300)
  await new Promise((r) => ao.quit(r))
  await new Promise((r) => ai.quit(r))
  return lat
}

const stats = (xs) => ({ heard: xs.length, p50: percentile(xs, 50), p99: percentile(xs, 99) })

export async function deviceLatency(bufferFrames, count = 15, latencyMs = 5) {
  return withLoopback(async (env) => {
    const direct = await probe('bench_b', 'bench_b', count)
    const server = spawnNode(
      [...SERVE_ON_LOOPBACK, '--source', 'device:bench_a', '--device-buffer', String(bufferFrames), '--transport', 'udp'],
      { env },
    )
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rig = spawnNode(
      [
        CLI,
        'join',
        `127.0.0.1:${port}`,
        '--transport',
        'udp',
        '--sink',
        'device:bench_b',
        '--device-buffer',
        String(bufferFrames),
        '--latency',
        String(latencyMs),
        '--json',
      ],
      { env },
    )
    await waitJson(server.stdout, (e) => e.event === 'init')
    await sleep(5500) // the jitter buffer settles (see the UDP latency bench)
    const synchro = await probe('bench_a', 'bench_b', count)
    server.kill('SIGKILL')
    rig.kill('SIGKILL')
    await sleep(300)
    const out = spawnNode([join(ROOT, 'bench', 'bare-device-relay.mjs'), 'out', 'bench_b', String(bufferFrames)], { env })
    const { port: barePort } = await waitJson(out.stderr, (e) => e.port !== undefined)
    const inp = spawnNode([join(ROOT, 'bench', 'bare-device-relay.mjs'), 'in', 'bench_a', String(bufferFrames), String(barePort)], { env })
    await sleep(1000)
    const bare = await probe('bench_a', 'bench_b', count)
    inp.kill('SIGKILL')
    out.kill('SIGKILL')
    const probeMs = percentile(direct, 50)
    const minus = (s) => ({ ...s, p50: s.p50 - probeMs, p99: s.p99 - probeMs })
    return { bufferFrames, latencyMs, probeMs, synchro: minus(stats(synchro)), bare: minus(stats(bare)) }
  })
}

/** A minute of a tone to a card at the default buffer: the rig's underruns, JACK's xruns, the drift it measured and the queue level over time. */
export async function deviceSoak(bufferFrames, seconds = 60) {
  return withLoopback(async (env, xruns) => {
    const server = spawnNode([...SERVE_ON_LOOPBACK, '--source', 'tone:440', '--duration', String(seconds), '--transport', 'udp'], { env })
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rig = spawnNode(
      [
        CLI,
        'join',
        `127.0.0.1:${port}`,
        '--transport',
        'udp',
        '--sink',
        'device:bench_b',
        '--device-buffer',
        String(bufferFrames),
        '--json',
      ],
      { env },
    )
    const levels = []
    const skipped = []
    let buf = ''
    rig.stdout.on('data', (c) => {
      buf += c
      const lines = buf.split('\n')
      buf = lines.pop()
      for (const l of lines) {
        if (!l.startsWith('{"event":"stats"')) continue
        const device = JSON.parse(l).device
        levels.push(device?.queuedFrames)
        skipped.push(device?.framesSkipped)
      }
    })
    const summary = await waitJson(rig.stdout, (e) => e.event === 'summary', (seconds + 15) * 1000)
    return {
      bufferFrames,
      seconds,
      underruns: summary.underruns,
      concealed: summary.framesConcealed,
      jackXruns: xruns(),
      driftPpm: summary.device?.driftPpm,
      framesInserted: summary.device?.framesInserted,
      framesDropped: summary.device?.framesDropped,
      framesSkipped: summary.device?.framesSkipped,
      queuedFramesEvery10s: levels.filter((_, i) => i % 10 === 9),
      // Skipped frames so far, every 10 s: when in the show they were skipped (a UDP rig's startup burst, or stalls later).
      skippedEvery10s: skipped.filter((_, i) => i % 10 === 9),
    }
  })
}
