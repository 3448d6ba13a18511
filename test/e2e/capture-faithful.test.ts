// Server capture from a sound card, faithful from the first second (issue 13), through the
// real library path: a private jackd -d dummy, ALSA's jack plugin, PortAudio via naudiodon2
// in a device host. `aplay` plays seeded s16 noise into the JACK loopback the moment the
// show starts (INIT, at the rig's join: --clients 1), `serve --source device` captures it
// and a rig records it; bench/bit-exact-windows.ts scores the recording: the share of the
// clip's 64-frame windows that arrive bit-exact and in order. An `arecord` records the same
// aplay at the same time: the path's own floor in that take. bench/capture-windows.mjs
// measures the same with ten runs.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bitExactWindows, type WindowsReport } from '../../bench/bit-exact-windows.js'
import { killAll, run, serveOnFreePort, synchro } from '../helpers/cli.js'
import { AudioLoopback, DEVICE, FLOAT_DEVICE } from '../helpers/audio-loopback.js'
import { wavData, writeNoiseWav } from '../helpers/wav-fixtures.js'

/** The issue's target: of the clip's windows, this share bit-exact and in order. */
const TARGET = 0.99
const CLIP_S = 3
/**
 * On a loaded 2-core machine JACK's dummy backend itself drops and repeats periods: arecord
 * recording the same aplay scored 78-98 % while other engineers' tests ran (and Synchro the
 * same, window for window), 99.5-99.9 % when they did not. So a take that misses the target
 * passes if the path itself missed it in that take and Synchro kept all but FLOOR_SLACK of
 * what arecord kept; a card fault, a missing conversion or a take far under the floor fails.
 */
const FLOOR_SLACK = 0.01
/** Takes per case, the first that passes ends it: the start was seen cut by 20-70 ms in about 1 take in 10 on the loaded machine. */
const TAKES = 3

interface Take extends WindowsReport {
  /** arecord's share, recording the same aplay at the same time. */
  floor: number
  faults: string[]
  conversion: string | null
  samplesChanged: number | undefined
}

const loop = new AudioLoopback()
const dir = mkdtempSync(join(tmpdir(), 'synchro-capture-'))
test.before(() => loop.start())
test.after(async () => {
  killAll()
  await loop.stop()
})

/** One show: the card captured from the first second of an aplay that starts at INIT. */
async function take(card: string, flags: string[], n: number): Promise<Take> {
  const wav = join(dir, `${card}-${n}.wav`)
  const out = join(dir, `${card}-${n}-out.wav`)
  const sent = writeNoiseWav(wav, CLIP_S, { seed: 77 + n })
  const { server, port } = await serveOnFreePort(
    ['--source', `device:${card}`, '--clients', '1', '--duration', String(CLIP_S + 2), ...flags],
    loop.env,
  )
  const env = { ...process.env, ...loop.env }
  const raw = join(dir, `${card}-${n}-arecord.raw`)
  const rec = spawn('arecord', ['-q', '-D', DEVICE, '-f', 'S16_LE', '-c', '2', '-r', '48000', '-t', 'raw', raw], { stdio: 'ignore', env })
  const recorded = new Promise<unknown>((r) => rec.once('exit', r))
  const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', `wav:${out}`, '--json'], { env: loop.env })
  await server.event('init')
  const play = spawn('aplay', ['-q', '-D', DEVICE, wav], { stdio: 'ignore', env })
  const played = new Promise<number | null>((r) => play.once('exit', r))
  const [s, r, a] = await Promise.all([server.exit, rig.exit, played])
  rec.kill('SIGINT')
  await recorded
  assert.equal([s.code, r.code, a], [0, 0, 0], server.stderr.slice(-300) + rig.stderr.slice(-300))
  const device = server.events.findLast((e) => e.event === 'stats')?.device
  return {
    ...bitExactWindows(sent, wavData(readFileSync(out)), 4),
    floor: bitExactWindows(sent, readFileSync(raw), 4).share,
    faults: server.events.filter((e) => e.event === 'device-fault').map((e) => e.reason),
    conversion: device?.conversion ?? null,
    samplesChanged: device?.samplesChanged,
  }
}

/** Takes until one passes (at most TAKES): at the target, or at the path's own floor in that take; every take free of faults and saying the conversion. */
async function captureFaithfully(card: string, flags: string[], conversion: string | null): Promise<Take[]> {
  const takes: Take[] = []
  for (let n = 0; n < TAKES; n++) {
    const t = await take(card, flags, n)
    takes.push(t)
    assert.equal(t.faults, [], `no device-fault, at the start or later (take ${n + 1})`)
    assert.is(t.conversion, conversion, 'the conversion is reported')
    if (t.share >= TARGET || (t.floor < TARGET && t.share >= t.floor - FLOOR_SLACK)) return takes
  }
  assert.unreachable(
    `>= ${TARGET * 100} % of windows bit-exact and in order (or, where the path itself fell short, what arecord kept of the same take) in one of ${TAKES} takes: ${takes.map((t) => `${(t.share * 100).toFixed(1)} % (${t.shifts} shifts; arecord ${(t.floor * 100).toFixed(1)} %)`).join(', ')}`,
  )
  return takes
}

test('the plug card, captured from the first second of the show: no device-fault, >= 99 % of windows bit-exact and in order', async () => {
  await captureFaithfully(DEVICE, [], null)
})

test('the float-only card with an s16 show: opened in float, converted by Synchro bit for bit (>= 99 %), and the conversion reported', async () => {
  const takes = await captureFaithfully(FLOAT_DEVICE, ['--format', 's16le'], '48000 Hz f32le -> 48000 Hz s16le (converted by Synchro)')
  // Each float the card delivered was an s16 value / 32768: none rounded.
  assert.equal(
    takes.map((t) => t.samplesChanged),
    takes.map(() => 0),
  )
})

test('--bit-exact refuses the float-only card for an s16 show: one line naming what it takes, exit 1', async () => {
  const r = await run(['serve', '--source', `device:${FLOAT_DEVICE}`, '--format', 's16le', '--bit-exact', '--port', '0'], 20_000, loop.env)
  assert.is(r.code, 1, r.stderr)
  const lines = r.stderr.trim().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.is(
    lines[0],
    "synchro: cannot open audio input 'synchro_jack': audio input 'synchro_jack' takes only f32le (any other format PortAudio would convert unseen): --bit-exact forbids 48000 Hz f32le, which would need rounding",
  )
})

test.run()
