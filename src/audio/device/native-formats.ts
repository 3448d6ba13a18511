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

import { spawnSync } from 'node:child_process'
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
  if (device.hostApi !== 'ALSA') return undefined
  const tool = direction === 'input' ? 'arecord' : 'aplay'
  // -s 0: no samples; the hardware parameters are printed before the format is set (and the open fails on it, which is fine).
  const file = direction === 'input' ? '/dev/null' : '/dev/zero'
  const r = spawnSync(tool, ['-D', alsaPcmName(device.name), '--dump-hw-params', '-q', '-s', '0', file], {
    encoding: 'utf8',
    // It answers in ~40 ms; a PCM whose server is going away can hold it longer (the source asks only at setup).
    timeout: 2000,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (r.error) return undefined
  return parseHwFormats(`${r.stdout}\n${r.stderr}`)
}
