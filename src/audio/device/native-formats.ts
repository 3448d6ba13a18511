// The sample formats a card itself takes, as its host API says: so that Synchro opens it in
// one of them and does any conversion itself, where it is counted and shown.
//
// Why not let PortAudio convert: naudiodon2 opens every stream with paNoFlag
// (node_modules/naudiodon2/src/PaContext.cc, Pa_OpenStream) and exposes no stream flags, so
// PortAudio's converters run with dither and clipping on (pa_converters.c: float to int16 is
// `src * 32766 + triangular dither`, truncated; int16 to float is `src / 32768`): a float
// card captured as s16 came back with 88-92 % of samples off by 1-2 LSB (issue 13), and
// nothing in Synchro could see it. PortAudio does not say which format it chose for the
// host either (PaUtil_SelectClosestAvailableFormat, internal to each host API).
//
// ALSA does: `arecord`/`aplay --dump-hw-params` (alsa-utils) opens the PCM and lists its
// FORMAT line, ~40 ms here. PortAudio's ALSA devices are named by their PCM ("synchro",
// "default", "pulse") or, for a card, "HDA Intel PCH: ALC892 Analog (hw:0,0)". Elsewhere
// (CoreAudio, WASAPI, PortAudio's JACK host) and where alsa-utils is missing the answer is
// "unknown", and the card is opened as before.

import { execFile, spawnSync } from 'node:child_process'
import type { SampleFormat } from '../../codec/format.js'
import type { AudioDeviceInfo } from './portaudio.js'

/** ALSA's names for the formats Synchro has (PortAudio maps paInt16, paInt24, paFloat32 to these: pa_linux_alsa.c Pa2AlsaFormat). */
const ALSA_FORMATS: Record<string, SampleFormat> = { S16_LE: 's16le', S24_3LE: 's24le', FLOAT_LE: 'f32le' }

/** The formats the card takes: `alsa` as ALSA names them, `formats` those of them Synchro has. */
export interface NativeFormats {
  alsa: string[]
  formats: SampleFormat[]
}

/** The ALSA PCM name of a PortAudio ALSA device: its "(hw:C,D)" if it has one, else its name. */
export function alsaPcmName(deviceName: string): string {
  return /\((hw:\d+,\d+)\)$/.exec(deviceName)?.[1] ?? deviceName
}

/** The FORMAT line of `--dump-hw-params` output, or undefined if there is none. */
export function parseHwFormats(dump: string): NativeFormats | undefined {
  const line = /^FORMAT:\s+(.+)$/m.exec(dump)?.[1]
  if (!line) return undefined
  const alsa = line.trim().split(/\s+/)
  return { alsa, formats: alsa.map((f) => ALSA_FORMATS[f]).filter((f): f is SampleFormat => f !== undefined) }
}

/** What `device` takes in `direction`, or undefined where that cannot be asked (not ALSA, no alsa-utils, the PCM would not open). */
export function nativeFormats(device: AudioDeviceInfo, direction: 'input' | 'output', env = process.env): NativeFormats | undefined {
  const ask = dumpCommand(device, direction)
  if (!ask) return undefined
  const r = spawnSync(ask.tool, ask.args, { encoding: 'utf8', timeout: DUMP_TIMEOUT_MS, env, stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.error) return undefined
  return parseHwFormats(`${r.stdout}\n${r.stderr}`)
}

/** nativeFormats off the event loop: a rig asks while it answers its server (nothing may block a rig's event loop). */
export function nativeFormatsAsync(
  device: AudioDeviceInfo,
  direction: 'input' | 'output',
  env = process.env,
): Promise<NativeFormats | undefined> {
  const ask = dumpCommand(device, direction)
  if (!ask) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    const child = execFile(ask.tool, ask.args, { encoding: 'utf8', timeout: DUMP_TIMEOUT_MS, env }, (err, stdout, stderr) => {
      // The tool exits non-zero here by design (-s 0, see dumpCommand): only a tool that did not run is no answer.
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve(undefined)
      resolve(parseHwFormats(`${stdout}\n${stderr}`))
    })
    child.stdin?.end()
  })
}

/** It answers in ~40 ms; a PCM whose server is going away can hold it longer (asked once, at setup). */
const DUMP_TIMEOUT_MS = 2000

function dumpCommand(device: AudioDeviceInfo, direction: 'input' | 'output'): { tool: string; args: string[] } | undefined {
  if (device.hostApi !== 'ALSA') return undefined
  const pcm = alsaPcmName(device.name)
  // The hardware parameters are printed once the PCM is open, before the format is set (an
  // open that then fails on the format is fine). Then as little as can be: arecord takes one
  // sample (-s 0 means no limit: it recorded on to the timeout and held the card, 3.0 s, where
  // -s 1 took 175 ms); aplay plays an empty raw file (fed /dev/zero it played on to the
  // timeout; this way 166 ms, 26 ms for a PCM that refuses S16_LE).
  const raw = ['-t', 'raw', '-f', 'S16_LE', '-r', '48000']
  if (direction === 'input') return { tool: 'arecord', args: ['-D', pcm, '--dump-hw-params', '-q', ...raw, '-s', '1', '/dev/null'] }
  return { tool: 'aplay', args: ['-D', pcm, '--dump-hw-params', '-q', ...raw, '/dev/null'] }
}
