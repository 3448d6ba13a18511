// Sample-format conversion between the show and a sound card that will not take the show's
// format (ALSA's jack plugin takes only float, many USB cards only s16 or s24). Integers
// scale by 2^15 / 2^23 both ways, so s16 -> f32 -> s16 and s24 -> f32 -> s24 return the
// same bits; float to integer rounds and clips once.

import { bytesPerSample, type SampleFormat } from '../codec/format.js'
import { readS16, readS24, writeS16, writeS24 } from '../codec/pcm.js'

/** Whether every value of `from` survives the trip to `to` (what --bit-exact allows). */
export function isLossless(from: SampleFormat, to: SampleFormat): boolean {
  return from === to || to === 'f32le' || (from === 's16le' && to === 's24le')
}

/** The PCM as floats in [-1, 1), interleaved as it was. */
export function toFloat32(pcm: Uint8Array, from: SampleFormat): Float32Array {
  const n = pcm.byteLength / bytesPerSample(from)
  if (from === 'f32le' && pcm.byteOffset % 4 === 0) return new Float32Array(pcm.buffer, pcm.byteOffset, n)
  const out = new Float32Array(n)
  const v = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength)
  if (from === 's16le') for (let i = 0; i < n; i++) out[i] = readS16(v, i * 2) / 32768
  else if (from === 'f32le') for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, true)
  else for (let i = 0; i < n; i++) out[i] = readS24(v, i * 3) / 8388608
  return out
}

/** What a conversion changed: samples rounded to the nearest integer step, or clipped to full scale. */
export interface ConversionCount {
  /** Samples whose value the conversion changed (a float between two integer steps, or beyond full scale). */
  changed: number
}

/**
 * Floats as PCM in `to`, in a buffer of its own (PortAudio and the packetizer keep it).
 * With `count`, the samples that did not land exactly on an integer step are counted: a
 * float card carrying s16 audio converts with none changed.
 */
export function fromFloat32(samples: Float32Array, to: SampleFormat, count?: ConversionCount): Uint8Array {
  const n = samples.length
  const out = new Uint8Array(n * bytesPerSample(to))
  const v = new DataView(out.buffer)
  if (to === 'f32le') {
    for (let i = 0; i < n; i++) v.setFloat32(i * 4, samples[i]!, true)
    return out
  }
  const [scale, max, write] = to === 's16le' ? [32768, 32767, writeS16] : [8388608, 8388607, writeS24]
  const step = bytesPerSample(to)
  let changed = 0
  for (let i = 0; i < n; i++) {
    const x = samples[i]! * scale
    const q = clip(Math.round(x), max)
    if (q !== x) changed++
    write(v, i * step, q)
  }
  if (count) count.changed += changed
  return out
}

export function convertSamples(pcm: Uint8Array, from: SampleFormat, to: SampleFormat, count?: ConversionCount): Uint8Array {
  if (from === to) return pcm
  return fromFloat32(toFloat32(pcm, from), to, count)
}

function clip(x: number, max: number): number {
  return Math.min(max, Math.max(-max - 1, x))
}
