// Channel up-mix and down-mix between the show and a sound card with another channel count:
// down-mix averages the show channels that fold onto each device channel (c mod n), so
// stereo to mono is (L + R) / 2 and nothing clips; up-mix repeats device channels
// (mono to stereo copies it to both). Sample formats are read and written as they are.

import { bytesPerSample, type SampleFormat } from '../codec/format.js'
import { readS16, readS24, writeS16, writeS24 } from '../codec/pcm.js'

/** Integer formats stay integers (a copy is bit-exact, an average rounds once); float stays float. */
function readRaw(v: DataView, at: number, format: SampleFormat): number {
  if (format === 's16le') return readS16(v, at)
  if (format === 'f32le') return v.getFloat32(at, true)
  return readS24(v, at)
}

function writeRaw(v: DataView, at: number, format: SampleFormat, x: number): void {
  if (format === 'f32le') return v.setFloat32(at, x, true)
  const i = Math.round(x)
  if (format === 's16le') return writeS16(v, at, i)
  writeS24(v, at, i)
}

export function remix(pcm: Uint8Array, format: SampleFormat, from: number, to: number): Uint8Array {
  if (from === to) return pcm
  const sb = bytesPerSample(format)
  const frames = Math.floor(pcm.byteLength / (sb * from))
  const out = new Uint8Array(frames * sb * to)
  const inView = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength)
  const outView = new DataView(out.buffer)
  for (let f = 0; f < frames; f++) {
    for (let d = 0; d < to; d++) {
      let sum = 0
      let n = 0
      if (to < from) {
        for (let c = d; c < from; c += to) {
          sum += readRaw(inView, (f * from + c) * sb, format)
          n++
        }
      } else {
        sum = readRaw(inView, (f * from + (d % from)) * sb, format)
        n = 1
      }
      writeRaw(outView, (f * to + d) * sb, format, sum / n)
    }
  }
  return out
}
