// Issue 13's measure of a rig playing to a sound card: the share of a noise clip's 64-frame
// windows that come out of the card bit-exact and in order (bench/bit-exact-windows.ts).
// The path is the tests' (test/helpers/audio-loopback.ts: a private `jackd -d dummy -r
// 48000`, ALSA's jack plugin, a `plug` PCM in front as the device `synchro`); `arecord` on
// the same PCM is the witness, independent of Synchro. Each run: `serve --source wav:NOISE
// --clients 1` to `join --sink device:synchro`, the rig's `stats.device` from its summary.
// Beside it in the same run, the path's own floor: `aplay NOISE` -> `arecord`, no Synchro.
//
//   node --import tsx bench/card-windows.mjs [--runs N] [--seconds S] [--soak [S]] [--latency MS] [--device-buffer N]
//
// --soak plays a minute of noise (or S seconds) once and reports what the card's steering
// did after the first second (drops, inserts, skips, pads), from the rig's stats events.
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { AudioLoopback, DEVICE } from '../test/helpers/audio-loopback.ts'
import { writeNoiseWav } from '../test/helpers/wav-fixtures.ts'
import { bitExactWindows } from './bit-exact-windows.ts'
import { CLI, SERVE_ON_LOOPBACK, fmt, onJsonLines, sleep, spawnNode, spawnProcess, stopAll } from './lib.mjs'

const FRAME_BYTES = 4 // s16 stereo
const RATE_HZ = 48000

/** Resolves once `path` holds at least `bytes` (arecord writes as it captures), or rejects after `ms`. */
async function untilSize(path, bytes, ms, what) {
  const deadline = performance.now() + ms
  for (;;) {
    let size = 0
    try {
      size = statSync(path).size
    } catch {}
    if (size >= bytes) return size
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/**
 * `arecord` on the loopback's PCM into `file` (raw s16 stereo 48 kHz) while `play()` runs,
 * and half a second after: returns the captured bytes and what `play()` returned.
 */
export async function recordWhile(env, file, play) {
  const rec = spawnProcess('arecord', ['-q', '-D', DEVICE, '-f', 'S16_LE', '-r', String(RATE_HZ), '-c', '2', '-t', 'raw', file], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  try {
    // Recording once bytes arrive: the capture runs before anything plays.
    await untilSize(file, RATE_HZ * FRAME_BYTES * 0.1, 10_000, 'arecord to capture')
    const result = await play()
    const at = statSync(file).size
    await untilSize(file, at + RATE_HZ * FRAME_BYTES * 0.5, 10_000, 'arecord to capture past the end')
    rec.kill('SIGINT')
    await new Promise((r) => (rec.exitCode === null ? rec.once('exit', r) : r()))
    return { captured: readFileSync(file), result }
  } finally {
    await stopAll([rec])
  }
}

const exited = (child) => new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))))

/** serve --source wav:WAV --clients 1 -> join --sink device:synchro; the rig's summary and its stats events. */
export async function synchroPlays(env, wav, extra = [], joinArgs = []) {
  const server = spawnNode([...SERVE_ON_LOOPBACK, '--source', `wav:${wav}`, '--clients', '1', ...extra], { env })
  const port = await new Promise((resolve, reject) => {
    onJsonLines(server.stdout, (e) => e.event === 'listening' && resolve(e.port))
    server.once('exit', (c) => reject(new Error(`serve exited ${c}: ${server.errText()}`)))
  })
  const rig = spawnNode([CLI, 'join', `127.0.0.1:${port}`, '--sink', `device:${DEVICE}`, '--json', ...joinArgs], { env })
  const stats = []
  let summary
  let initAtMs
  onJsonLines(rig.stdout, (e) => {
    if (e.event === 'init') initAtMs = performance.now()
    if (e.event === 'stats') stats.push({ ...e, atMs: performance.now() - (initAtMs ?? 0) })
    if (e.event === 'summary') summary = e
  })
  try {
    const [rigCode, serverCode] = await Promise.all([exited(rig), exited(server)])
    if (rigCode !== 0 || serverCode !== 0)
      throw new Error(`rig exited ${rigCode}, server ${serverCode}: ${rig.errText().trim()} ${server.errText().trim()}`)
    return { summary, stats }
  } finally {
    await stopAll([rig, server])
  }
}

const deviceLine = (d) =>
  d
    ? `skipped ${d.framesSkipped}, dropped ${d.framesDropped}, inserted ${d.framesInserted}, hard resyncs ${d.hardResyncs}, padded ${d.framesPadded}, drift ${d.driftPpm} ppm`
    : 'no stats.device'

const score = (sent, captured) => bitExactWindows(sent, captured, FRAME_BYTES)

/** `runs` runs each way of a `seconds` noise clip; prints every run, returns the figures. */
export async function cardWindows({ runs = 10, seconds = 3, serveArgs = [], joinArgs = [], log = console.log } = {}) {
  const loop = new AudioLoopback()
  await loop.start()
  const env = { ...process.env, ...loop.env }
  const dir = mkdtempSync(join(tmpdir(), 'synchro-card-windows-'))
  const wav = join(dir, 'noise.wav')
  const sent = writeNoiseWav(wav, seconds)
  const out = { seconds, synchro: [], bare: [] }
  try {
    for (let i = 0; i < runs; i++) {
      const bare = await recordWhile(env, join(dir, `bare-${i}.raw`), async () => {
        const p = spawnProcess('aplay', ['-q', '-D', DEVICE, wav], { env })
        const code = await exited(p)
        if (code !== 0) throw new Error(`aplay exited ${code}: ${p.errText()}`)
      })
      const b = score(sent, bare.captured)
      out.bare.push(b)
      const run = await recordWhile(env, join(dir, `synchro-${i}.raw`), () => synchroPlays(env, wav, serveArgs, joinArgs))
      const s = score(sent, run.captured)
      const device = run.result.summary?.device ?? null
      out.synchro.push({ ...s, device })
      log(
        `run ${i + 1}: synchro ${fmt(s.share * 100, 1)} % (${s.exact}/${s.windows}, ${s.shifts} shifts; ${deviceLine(device)}); aplay ${fmt(b.share * 100, 1)} % (${b.shifts} shifts)`,
      )
    }
  } finally {
    await loop.stop()
  }
  const summarise = (list) => {
    const shares = list.map((r) => r.share).sort((a, b) => a - b)
    return { min: shares[0], median: shares[Math.floor(shares.length / 2)], max: shares.at(-1) }
  }
  out.synchroShare = summarise(out.synchro)
  out.bareShare = summarise(out.bare)
  return out
}

/**
 * One long run (a minute by default): the windows' share, and what the steering did after
 * the first second of the show (from the rig's stats a second in, and its summary).
 */
export async function cardSoak({ seconds = 60, serveArgs = [], joinArgs = [], log = console.log } = {}) {
  const loop = new AudioLoopback()
  await loop.start()
  const env = { ...process.env, ...loop.env }
  const dir = mkdtempSync(join(tmpdir(), 'synchro-card-soak-'))
  const wav = join(dir, 'noise.wav')
  const sent = writeNoiseWav(wav, seconds)
  try {
    const run = await recordWhile(env, join(dir, 'soak.raw'), () => synchroPlays(env, wav, serveArgs, joinArgs))
    const s = score(sent, run.captured)
    const end = run.result.summary?.device
    const first = run.result.stats.find((e) => e.atMs >= 1000)?.device ?? { framesSkipped: 0, framesDropped: 0, framesInserted: 0 }
    const after = end && {
      framesSkipped: end.framesSkipped - first.framesSkipped,
      framesDropped: end.framesDropped - first.framesDropped,
      framesInserted: end.framesInserted - first.framesInserted,
      hardResyncs: end.hardResyncs - (first.hardResyncs ?? 0),
      framesPadded: end.framesPadded - (first.framesPadded ?? 0),
    }
    log(
      `soak ${seconds} s: ${fmt(s.share * 100, 2)} % of windows (${s.exact}/${s.windows}, ${s.shifts} shifts); after the first second: ${after ? `skipped ${after.framesSkipped}, dropped ${after.framesDropped}, inserted ${after.framesInserted}, hard resyncs ${after.hardResyncs}, padded ${after.framesPadded}` : 'no stats'}; whole run: ${deviceLine(end)}`,
    )
    return { seconds, ...s, afterFirstSecond: after, device: end ?? null }
  } finally {
    await loop.stop()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const value = (flag, fallback) => {
    const i = args.indexOf(flag)
    if (i < 0) return undefined
    const v = Number(args[i + 1])
    return Number.isFinite(v) ? v : fallback
  }
  const soak = value('--soak', 60)
  const latency = value('--latency', 20)
  const serveArgs = latency === undefined ? [] : ['--latency', String(latency)]
  const buffer = value('--device-buffer', 128)
  const joinArgs = buffer === undefined ? [] : ['--device-buffer', String(buffer)]
  if (soak !== undefined) await cardSoak({ seconds: soak, serveArgs, joinArgs })
  else {
    const r = await cardWindows({ runs: value('--runs', 10) ?? 10, seconds: value('--seconds', 3) ?? 3, serveArgs, joinArgs })
    const pct = (s) => `min ${fmt(s.min * 100, 1)} %, median ${fmt(s.median * 100, 1)} %, max ${fmt(s.max * 100, 1)} %`
    console.log(`synchro: ${pct(r.synchroShare)}; aplay -> arecord: ${pct(r.bareShare)}`)
  }
  process.exit(0)
}
