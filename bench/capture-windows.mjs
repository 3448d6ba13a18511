// Issue 13's server-capture measure: `aplay` plays a seeded s16 stereo noise WAV into the
// JACK loopback (jackd -d dummy -r 48000, ALSA's jack plugin, test/helpers/audio-loopback.ts)
// the moment the show starts, while `serve --source device:CARD --clients 1` captures it to
// a rig's `--sink wav:`. The rig's recording is scored with bitExactWindows
// (bench/bit-exact-windows.ts): the share of the clip's 64-frame windows that arrive
// bit-exact and in order, from the first second of the show on. Beside it, on the same
// JACK: `aplay` -> `arecord` with no Synchro (the path's own floor), in runs of its own as
// the issue measured it, and in every Synchro run an `arecord` recording the same aplay at
// the same time ("same take"): on a loaded machine JACK's dummy backend itself drops and
// repeats periods, and what both lost is the path's, not Synchro's.
// Cases: the plug PCM `synchro` (ALSA converts whatever is asked for), and the float-only
// jack PCM `synchro_jack` with an s16 show (what PortAudio or Synchro makes of float).
//
// Alone: node --import tsx bench/capture-windows.mjs [--runs N] [--seconds S] [--only baseline,plug,float]
// (SYNCHRO_CLI=path/to/dist/src/cli/main.js measures another build, e.g. main's, the same way.)
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { bitExactWindows } from './bit-exact-windows.ts'
import { CLI, SERVE_ON_LOOPBACK, fmt, onJsonLines, sleep, spawnNode, spawnProcess, stopAll } from './lib.mjs'
import { AudioLoopback, DEVICE, FLOAT_DEVICE } from '../test/helpers/audio-loopback.ts'
import { wavData, writeNoiseWav } from '../test/helpers/wav-fixtures.ts'

const RATE_HZ = 48000
const SYNCHRO = process.env.SYNCHRO_CLI ?? CLI
const SERVE = [SYNCHRO, ...SERVE_ON_LOOPBACK.slice(1)]
const FRAME_BYTES = 4 // s16 stereo
/** A sample this far from 0 is sound (the noise is full scale; a silent card delivers 0). */
const SOUND = 64

/** The first frame of `pcm` (s16 stereo) with a sample louder than SOUND, or -1. */
export function firstSoundFrame(pcm) {
  for (let i = 0; i + 1 < pcm.byteLength; i += 2) if (Math.abs(pcm.readInt16LE(i)) > SOUND) return Math.floor(i / FRAME_BYTES)
  return -1
}

async function until(cond, ms, what) {
  const end = performance.now() + ms
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

const sizeOf = (path) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r))
}

/** How much of the clip's start never arrived, ms: the windows before the first one found anywhere in `received`. */
export function missedAtStartMs(sent, received, windowFrames = 64) {
  const windowBytes = windowFrames * FRAME_BYTES
  for (let w = 0; (w + 1) * windowBytes <= sent.byteLength; w++)
    if (received.indexOf(sent.subarray(w * windowBytes, (w + 1) * windowBytes)) >= 0) return (w * windowFrames * 1000) / RATE_HZ
  return null
}

/** aplay -> arecord through the plug PCM, no Synchro: the path's floor. */
async function baselineRun(loop, dir, run, seconds) {
  const wav = join(dir, `base-${run}.wav`)
  const out = join(dir, `base-${run}.raw`)
  const sent = writeNoiseWav(wav, seconds, { seed: 1000 + run })
  const env = { ...process.env, ...loop.env }
  const rec = spawnProcess('arecord', ['-q', '-D', DEVICE, '-f', 'S16_LE', '-c', '2', '-r', String(RATE_HZ), '-t', 'raw', out], { env })
  try {
    // Recording once its first period is in the file.
    await until(() => sizeOf(out) > 0, 10_000, 'arecord to record')
    const recStart = performance.now() - (sizeOf(out) / FRAME_BYTES / RATE_HZ) * 1000
    const aplayAt = performance.now()
    const play = spawnProcess('aplay', ['-q', '-D', DEVICE, wav], { env })
    await exited(play)
    if (play.exitCode !== 0) throw new Error(`aplay failed: ${play.errText().trim()}`)
    // Half a second past the clip's end, by what arecord has written.
    const want = sizeOf(out) + (RATE_HZ / 2) * FRAME_BYTES
    await until(() => sizeOf(out) >= want, 10_000, 'arecord to record past the clip')
    rec.kill('SIGINT')
    await exited(rec)
    const received = readFileSync(out)
    const r = bitExactWindows(sent, received, FRAME_BYTES)
    const first = firstSoundFrame(received)
    return {
      ...r,
      missedAtStartMs: missedAtStartMs(sent, received),
      firstSoundMs: first < 0 ? null : recStart + (first / RATE_HZ) * 1000 - aplayAt,
      aplayMs: 0,
      faults: [],
    }
  } finally {
    await stopAll([rec])
  }
}

/**
 * serve --source device:CARD --clients 1 to join --sink wav:, aplay started at the show's
 * INIT. Times are ms from `listening`: when aplay began, and when the recording's first
 * sound left the show (INIT + its frame index).
 */
async function synchroRun(loop, dir, run, seconds, card) {
  const wav = join(dir, `${card.name}-${run}.wav`)
  const out = join(dir, `${card.name}-${run}-out.wav`)
  const sent = writeNoiseWav(wav, seconds, { seed: 2000 + run })
  const env = { ...process.env, ...loop.env }
  const t0 = performance.now()
  const server = spawnNode(
    [...SERVE, '--source', `device:${card.device}`, '--clients', '1', '--duration', String(seconds + 2), ...card.flags],
    { env },
  )
  const children = [server]
  const events = []
  let rig
  let rigSummary
  let play
  let rec
  const raw = join(dir, `${card.name}-${run}-arecord.raw`)
  let listening
  let initAt
  let aplayAt
  onJsonLines(server.stdout, (e) => {
    const at = performance.now() - t0
    events.push({ ...e, at })
    if (e.event === 'listening' && !rig) {
      listening = at
      rig = spawnNode([SYNCHRO, 'join', `127.0.0.1:${e.port}`, '--sink', `wav:${out}`, '--json'], { env })
      onJsonLines(rig.stdout, (r) => {
        if (r.event === 'summary') rigSummary = r
      })
      children.push(rig)
      rec = spawnProcess('arecord', ['-q', '-D', DEVICE, '-f', 'S16_LE', '-c', '2', '-r', String(RATE_HZ), '-t', 'raw', raw], { env })
      children.push(rec)
    }
    if (e.event === 'init' && !play) {
      initAt = at
      aplayAt = performance.now() - t0
      play = spawnProcess('aplay', ['-q', '-D', DEVICE, wav], { env })
      children.push(play)
    }
  })
  try {
    await until(() => rig !== undefined || server.exitCode !== null, 20_000, 'the show to listen')
    if (!rig) throw new Error(`serve ended: ${server.errText().trim().split('\n').at(-1)}`)
    await Promise.all([exited(server), exited(rig)])
    if (server.exitCode !== 0) throw new Error(`serve exited ${server.exitCode}: ${server.errText().trim().split('\n').at(-1)}`)
    rec.kill('SIGINT')
    await exited(rec)
    const floor = bitExactWindows(sent, readFileSync(raw), FRAME_BYTES)
    const received = wavData(readFileSync(out))
    const r = bitExactWindows(sent, received, FRAME_BYTES)
    const first = firstSoundFrame(received)
    const conversion = events.findLast((e) => e.event === 'stats')?.device?.conversion ?? null
    return {
      ...r,
      missedAtStartMs: missedAtStartMs(sent, received),
      floor: { share: floor.share, shifts: floor.shifts, missedAtStartMs: missedAtStartMs(sent, readFileSync(raw)) },
      listeningMs: listening,
      aplayMs: aplayAt - listening,
      initMs: initAt - listening,
      firstSoundMs: first < 0 ? null : initAt + (first / RATE_HZ) * 1000 - listening,
      faults: events.filter((e) => e.event === 'device-fault').map((e) => ({ atMs: Math.round(e.at - listening), reason: e.reason })),
      conversion,
      rig: rigSummary && {
        late: rigSummary.packetsLate,
        concealed: rigSummary.framesConcealed,
        trims: rigSummary.latencyTrims,
        underruns: rigSummary.underruns,
      },
    }
  } finally {
    await stopAll(children)
  }
}

export const CAPTURE_CASES = [
  { name: 'plug', label: `plug card '${DEVICE}'`, device: DEVICE, flags: [] },
  { name: 'float', label: `float-only card '${FLOAT_DEVICE}', --format s16le`, device: FLOAT_DEVICE, flags: ['--format', 's16le'] },
]

export function describeRun(r) {
  if (r.error) return `failed: ${r.error}`
  const start =
    r.firstSoundMs === null
      ? 'no sound'
      : r.listeningMs === undefined
        ? `first sound ${fmt(r.firstSoundMs, 0)} ms after aplay began`
        : `first sound ${fmt(r.firstSoundMs, 0)} ms after listening (aplay began at ${fmt(r.aplayMs, 0)})`
  const faults = r.faults.length ? `; device-fault ${r.faults.map((f) => `at ${f.atMs} ms (${f.reason})`).join(', ')}` : '; no device-fault'
  return `${fmt(r.share * 100, 1)} % (${r.exact}/${r.windows}), shifts ${r.shifts}, delay ${r.delayFrames ?? '-'} frames, start missed ${r.missedAtStartMs === null ? 'all' : `${fmt(r.missedAtStartMs, 0)} ms`}; ${start}${faults}${r.conversion ? `; conversion ${r.conversion}` : ''}${r.rig ? `; rig late ${r.rig.late}, concealed ${r.rig.concealed}, trims ${r.rig.trims}` : ''}${r.floor ? `; same take by arecord ${fmt(r.floor.share * 100, 1)} % (${r.floor.shifts} shifts, start missed ${fmt(r.floor.missedAtStartMs, 0)} ms)` : ''}`
}

function summary(rs) {
  const shares = rs.map((r) => r.share * 100).sort((a, b) => a - b)
  const median = shares[Math.floor(shares.length / 2)]
  const floors = rs
    .filter((r) => r.floor)
    .map((r) => r.floor.share * 100)
    .sort((a, b) => a - b)
  const floor = floors.length
    ? `; arecord in the same takes median ${fmt(floors[Math.floor(floors.length / 2)], 1)} %, range ${fmt(floors[0], 1)}-${fmt(floors.at(-1), 1)} %`
    : ''
  const missed = rs.map((r) => r.missedAtStartMs ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b)
  return `median ${fmt(median, 1)} %, range ${fmt(shares[0], 1)}-${fmt(shares.at(-1), 1)} %, ${rs.filter((r) => r.share >= 0.99).length}/${rs.length} runs >= 99 %, ${rs.reduce((n, r) => n + r.faults.length, 0)} device-faults; start missed median ${fmt(missed[Math.floor(missed.length / 2)], 0)} ms, max ${fmt(missed.at(-1), 0)} ms${floor}`
}

/** `runs` runs of each case (baseline first), on one private JACK; prints each run and returns them all. */
export async function captureWindows({ runs = 10, seconds = 3, only, log = console.log } = {}) {
  const loop = new AudioLoopback()
  const dir = mkdtempSync(join(tmpdir(), 'synchro-capture-'))
  await loop.start()
  const results = { seconds, baseline: [], ...Object.fromEntries(CAPTURE_CASES.map((c) => [c.name, []])) }
  try {
    const cases = [{ name: 'baseline', label: 'aplay -> arecord, no Synchro' }, ...CAPTURE_CASES].filter((c) => !only || only.has(c.name))
    for (const c of cases) {
      log(`${c.label}:`)
      for (let run = 0; run < runs; run++) {
        // A run that fails (a crashed device host, a show that would not start) counts as 0 % with its reason.
        const r = await (c.name === 'baseline' ? baselineRun(loop, dir, run, seconds) : synchroRun(loop, dir, run, seconds, c)).catch(
          (err) => ({
            windows: 0,
            exact: 0,
            share: 0,
            shifts: 0,
            delayFrames: undefined,
            firstSoundMs: null,
            faults: [],
            error: err.message,
          }),
        )
        results[c.name].push(r)
        log(`  run ${run + 1}: ${describeRun(r)}`)
      }
      log(`  ${summary(results[c.name])}`)
    }
  } finally {
    await loop.stop()
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' } } })
  await captureWindows({
    runs: Number(values.runs ?? 10),
    seconds: Number(values.seconds ?? 3),
    only: values.only ? new Set(values.only.split(',')) : undefined,
  })
  process.exit(0)
}
