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
import { CLI, ROOT, lastEvents, spawnNode, stopAll, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'
import { preciseWrites } from './precise-pacer.mjs'
import { IMPULSE_BASE, ImpulseTap } from './impulse-tap.ts'

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

/**
 * Runs `fn` with a private jackd (-d dummy, 4 loopback ports, `periodFrames` a period) and an
 * .asoundrc naming bench_a and bench_b. `timeoutMs`: how late a client may be before JACK
 * throws it out (its default 500 ms; the tests' 4000, test/helpers/audio-loopback.ts).
 */
async function withLoopback(fn, { periodFrames = 64, timeoutMs } = {}) {
  const home = asoundrc()
  const vars = { HOME: home, JACK_DEFAULT_SERVER: SERVER, JACK_NO_START_SERVER: '1' }
  const env = { ...process.env, ...vars }
  let xruns = 0
  const timeout = timeoutMs === undefined ? [] : ['-t', String(timeoutMs)]
  const jackd = spawn('jackd', ['-n', SERVER, ...timeout, '-L', '4', '-d', 'dummy', '-r', '48000', '-p', String(periodFrames)], {
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

/**
 * latencyMs: the show's latency (`serve --latency`). The card rig plays on the show clock,
 * which hands it each packet its lead ahead (14.3 ms at a 128-frame buffer, 17 ms at 256:
 * docs/DEVICES.md), so the latency must cover that and a packet's arrival: 25 ms does for
 * every buffer here. A rig's own `--latency 5`, as this bench ran before the card was on the
 * show clock, makes every packet late for a card.
 */
export async function deviceLatency(bufferFrames, count = 15, latencyMs = 25) {
  return withLoopback(async (env) => {
    const direct = await probe('bench_b', 'bench_b', count)
    const server = spawnNode(
      [
        ...SERVE_ON_LOOPBACK,
        '--source',
        'device:bench_a',
        '--device-buffer',
        String(bufferFrames),
        '--transport',
        'udp',
        '--latency',
        String(latencyMs),
      ],
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

/**
 * A card rig on the show clock beside a pipe rig in the same show: the impulse train of the
 * skew bench (one numbered impulse every 200 ms, written at exact pace from a thread) into
 * `serve --source raw:-`, one rig playing `device:bench_b`, one `raw:-`. This process hears
 * the card back from the loopback (naudiodon2, 64-frame buffers, as the probe does) and reads
 * the pipe rig's stdout, both with the skew bench's ImpulseTap. Per impulse: card minus pipe.
 * Its median is a constant the steering cannot see (JACK's periods, the capture's own
 * buffer: what `join --offset` is for); the spread around it is how well the card keeps the
 * show clock. Beside it the card rig's own figures: `syncErrorMs` once a second, the single
 * frames, resyncs and skips.
 */
export async function deviceShowClock(seconds = 20, { bufferFrames = 128, latencyMs = 20 } = {}) {
  return withLoopback(
    async (env, xruns) => {
      const server = spawnNode([...SERVE_ON_LOOPBACK, '--source', 'raw:-', '--clients', '2', '--latency', String(latencyMs)], { env })
      const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
      const card = spawnNode(
        [CLI, 'join', `127.0.0.1:${port}`, '--name', 'card', '--sink', 'device:bench_b', '--device-buffer', String(bufferFrames), '--json'],
        { env },
      )
      const cardStats = []
      let buf = ''
      card.stdout.on('data', (c) => {
        buf += c
        const lines = buf.split('\n')
        buf = lines.pop()
        for (const l of lines) if (l.startsWith('{"event":"stats"')) cardStats.push({ at: performance.now(), e: JSON.parse(l) })
      })
      // The show starts when the pipe rig joins, once the card plays (its opening holds a rig up: issue 13).
      await waitJson(card.stdout, (e) => e.event === 'device-started').catch((err) => {
        throw new Error(`the card rig did not start its card: ${card.errText().slice(-300)}`, { cause: err })
      })
      const init = waitJson(server.stdout, (e) => e.event === 'init')
      const pipe = spawnNode([CLI, 'join', `127.0.0.1:${port}`, '--name', 'pipe', '--sink', 'raw:-', '--json'], { env })
      const heard = new ImpulseTap()
      const pa = createRequire(import.meta.url)('naudiodon2')
      const ai = pa.AudioIO({
        inOptions: {
          deviceId: pa.getDevices().find((d) => d.name === 'bench_b').id,
          sampleRate: 48000,
          channelCount: 2,
          sampleFormat: pa.SampleFormat16Bit,
          framesPerBuffer: 64,
          closeOnError: false,
          // Room for this process's event loop to be late: a full queue blocks the card's callback, which loses audio.
          maxQueue: 64,
        },
      })
      // A capture chunk arrives once its last frame is in (naudiodon2 may deliver 4,096 frames
      // at once, issue 13): timed from its first frame, as the tap times a write.
      ai.on('data', (b) => heard.push(b, performance.now() - (b.length / 4 / 48000) * 1000))
      ai.start()
      const piped = new ImpulseTap()
      pipe.stdout.on('data', (c) => piped.push(c, performance.now()))
      // Its events go to stderr (stdout carries its audio): its last stats, for what it concealed.
      const pipeEvents = lastEvents(pipe.stderr)
      await init
      const warmupPackets = Math.ceil(3000 / ((128 * 1000) / 48000)) // the clock settles, the card is aligned
      const every = 75 // 200 ms
      const from = performance.now()
      const sent = await preciseWrites(
        server.stdin,
        128,
        warmupPackets + Math.floor((seconds * 1000) / 200) * every,
        every,
        warmupPackets,
        IMPULSE_BASE,
      )
      await sleep(300)
      const last = cardStats.at(-1)?.e
      const atStart = cardStats.find((s) => s.at >= from + 3000)?.e
      await new Promise((r) => ai.quit(r))
      await stopAll([server, card, pipe])
      const skew = []
      for (const index of sent.keys()) {
        const c = heard.seenMs.get(index)
        const p = piped.seenMs.get(index)
        if (c !== undefined && p !== undefined) skew.push(c - p)
      }
      const median = percentile(skew, 50)
      const spread = skew.map((s) => Math.abs(s - median))
      const errors = cardStats
        .filter((s) => s.at >= from + 3000)
        .map((s) => s.e.device?.syncErrorMs)
        .filter((x) => typeof x === 'number')
        .map(Math.abs)
      const d = last?.device ?? {}
      const d0 = atStart?.device ?? {}
      return {
        seconds,
        bufferFrames,
        latencyMs,
        impulses: sent.size,
        paired: skew.length,
        skewMedianMs: median,
        spreadP50Ms: percentile(spread, 50),
        spreadP99Ms: percentile(spread, 99),
        spreadMaxMs: Math.max(...spread),
        syncErrorSamples: errors.length,
        syncErrorP50Ms: percentile(errors, 50),
        syncErrorP99Ms: percentile(errors, 99),
        // Counted over the measured stretch (from 3 s on), and over the whole show.
        framesDropped: (d.framesDropped ?? 0) - (d0.framesDropped ?? 0),
        framesInserted: (d.framesInserted ?? 0) - (d0.framesInserted ?? 0),
        hardResyncs: (d.hardResyncs ?? 0) - (d0.hardResyncs ?? 0),
        framesSkipped: (d.framesSkipped ?? 0) - (d0.framesSkipped ?? 0),
        whole: {
          framesDropped: d.framesDropped,
          framesInserted: d.framesInserted,
          hardResyncs: d.hardResyncs,
          framesSkipped: d.framesSkipped,
        },
        driftPpm: d.driftPpm,
        concealed: last?.framesConcealed,
        packetsLate: last?.packetsLate,
        heard: heard.seenMs.size,
        piped: piped.seenMs.size,
        pipe: { concealed: pipeEvents.get('stats')?.framesConcealed, packetsLate: pipeEvents.get('stats')?.packetsLate },
        sync: last?.sync?.state,
        jackXruns: xruns(),
      }
      // JACK as the tests run it (a 128-frame period, a client may be 4 s late): the figures are the steering's, not a 64-frame JACK's xruns on a shared machine.
    },
    { periodFrames: 128, timeoutMs: 4000 },
  )
}
