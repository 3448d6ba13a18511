// Device-to-device latency through a real userspace audio path (jackd -d dummy with four
// loopback ports, ALSA's jack plugin, PortAudio): a probe plays impulses into device
// bench_a; the server captures bench_a (--source device), a rig plays to bench_b (--sink
// device); the probe hears them come back on bench_b. Beside it, the bare baseline: one
// Node process capturing bench_a and sending each buffer over UDP to another that plays
// bench_b. The probe's own buffers are in both figures alike.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, ROOT, spawnNode, waitJson, sleep, percentile } from './lib.mjs'

const SERVER = `synchro-bench-${process.pid}`

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

export async function withLoopback(fn) {
  const home = asoundrc()
  const env = { ...process.env, HOME: home, JACK_DEFAULT_SERVER: SERVER, JACK_NO_START_SERVER: '1' }
  let xruns = 0
  const jackd = spawn('jackd', ['-n', SERVER, '-L', '4', '-d', 'dummy', '-r', '48000', '-p', '64'], { stdio: ['ignore', 'pipe', 'pipe'], env })
  const countXruns = (c) => (xruns += (c.toString().match(/XRun/g) ?? []).length)
  jackd.stdout.on('data', countXruns)
  jackd.stderr.on('data', countXruns)
  const socket = `/dev/shm/jack_${SERVER}_${process.getuid()}_0`
  for (let i = 0; i < 100 && !existsSync(socket); i++) await sleep(50)
  // This process opens PortAudio too (the probe): it must read the same .asoundrc.
  const savedHome = process.env.HOME
  Object.assign(process.env, { HOME: home, JACK_DEFAULT_SERVER: SERVER, JACK_NO_START_SERVER: '1' })
  try {
    return await fn(env, () => xruns)
  } finally {
    process.env.HOME = savedHome
    jackd.kill('SIGTERM')
    await new Promise((r) => jackd.once('exit', r))
  }
}

/** Plays an impulse every 200 ms into bench_a and times its return on bench_b. */
async function probe(count) {
  const pa = createRequire(import.meta.url)('naudiodon2')
  const devs = pa.getDevices()
  const id = (n) => devs.find((d) => d.name === n).id
  const opts = (n) => ({ deviceId: id(n), sampleRate: 48000, channelCount: 2, sampleFormat: pa.SampleFormat16Bit, framesPerBuffer: 64, closeOnError: false, maxQueue: 2 })
  const ao = pa.AudioIO({ outOptions: opts('bench_a') })
  const ai = pa.AudioIO({ inOptions: opts('bench_b') })
  const sent = []
  const got = []
  let armed = false
  ai.on('data', (b) => {
    for (let i = 0; i < b.length; i += 4) {
      const v = Math.abs(b.readInt16LE(i))
      if (v > 8000 && armed) {
        got.push(performance.now())
        armed = false
      }
    }
  })
  ai.start()
  ao.start()
  const chunk = 64 * 4
  const silence = Buffer.alloc(chunk)
  const impulse = Buffer.alloc(chunk)
  impulse.writeInt16LE(30000, 0)
  impulse.writeInt16LE(30000, 2)
  // Written one buffer at a time, paced by the card (the write callback), so the time of a write is when it enters the card's queue.
  const write = (b) => new Promise((r) => ao.write(b, r))
  for (let k = 0; k < count * 150; k++) {
    if (k >= 300 && k % 150 === 0) {
      await write(impulse)
      sent.push(performance.now())
      armed = true
    } else await write(silence)
  }
  await sleep(300)
  await new Promise((r) => ao.quit(r))
  await new Promise((r) => ai.quit(r))
  const lat = []
  for (let i = 0; i < Math.min(sent.length, got.length); i++) lat.push(got[i] - sent[i])
  return lat
}

export async function deviceLatency(bufferFrames, count = 40, latencyMs = 5) {
  return withLoopback(async (env) => {
    const server = spawnNode([CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--json', '--source', 'device:bench_a', '--device-buffer', String(bufferFrames), '--transport', 'udp'], { env })
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rig = spawnNode([CLI, 'join', `127.0.0.1:${port}`, '--transport', 'udp', '--sink', 'device:bench_b', '--device-buffer', String(bufferFrames), '--latency', String(latencyMs), '--json'], { env })
    await waitJson(server.stdout, (e) => e.event === 'init')
    await sleep(5500) // the jitter buffer settles (see the UDP latency bench)
    const synchro = await probe(count)
    server.kill('SIGKILL')
    rig.kill('SIGKILL')
    await sleep(300)
    const out = spawnNode([join(ROOT, 'bench', 'bare-device-relay.mjs'), 'out', 'bench_b', String(bufferFrames)], { env })
    const { port: barePort } = await waitJson(out.stderr, (e) => e.port !== undefined)
    const inp = spawnNode([join(ROOT, 'bench', 'bare-device-relay.mjs'), 'in', 'bench_a', String(bufferFrames), String(barePort)], { env })
    await sleep(1000)
    const bare = await probe(count)
    inp.kill('SIGKILL')
    out.kill('SIGKILL')
    return {
      bufferFrames, latencyMs, impulses: synchro.length, bareImpulses: bare.length,
      p50: percentile(synchro, 50), p99: percentile(synchro, 99), bareP50: percentile(bare, 50), bareP99: percentile(bare, 99),
    }
  })
}

/** One minute of the default path: the rig's underruns and JACK's xruns. */
export async function deviceSoak(bufferFrames, seconds = 60) {
  return withLoopback(async (env, xruns) => {
    const server = spawnNode([CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--json', '--source', 'tone:440', '--duration', String(seconds), '--transport', 'udp'], { env })
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rig = spawnNode([CLI, 'join', `127.0.0.1:${port}`, '--transport', 'udp', '--sink', 'device:bench_b', '--device-buffer', String(bufferFrames), '--json'], { env })
    const summary = await waitJson(rig.stdout, (e) => e.event === 'summary', (seconds + 15) * 1000)
    return { bufferFrames, seconds, underruns: summary.underruns, framesPlayed: summary.framesPlayed, concealed: summary.framesConcealed, jackXruns: xruns() }
  })
}
