import { writeFileSync } from 'node:fs'
import wavefile from 'wavefile'

const DEPTH = { s16le: '16', s24le: '24', f32le: '32f' } as const
const BYTES = { s16le: 2, s24le: 3, f32le: 4 } as const

/** Writes a WAV of seeded noise; returns its sample bytes. Header from wavefile, as the sink's is. */
export function writeNoiseWav(
  path: string,
  seconds: number,
  o: { rateHz?: number; channels?: number; format?: keyof typeof DEPTH; seed?: number } = {},
): Buffer {
  const rateHz = o.rateHz ?? 48000
  const channels = o.channels ?? 2
  const format = o.format ?? 's16le'
  const bytes = Math.round(seconds * rateHz) * channels * BYTES[format]
  const data = Buffer.alloc(bytes)
  let x = o.seed ?? 12345
  if (format === 'f32le') {
    for (let i = 0; i < bytes; i += 4) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      data.writeFloatLE((x / 0xffffffff) * 2 - 1, i)
    }
  } else {
    for (let i = 0; i < bytes; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0
      data[i] = x >>> 24
    }
  }
  const w = new wavefile.WaveFile()
  w.fromScratch(channels, rateHz, DEPTH[format], [])
  const header = Buffer.from(w.toBuffer())
  header.writeUInt32LE(header.length - 8 + bytes, 4)
  header.writeUInt32LE(bytes, header.length - 4)
  writeFileSync(path, Buffer.concat([header, data]))
  return data
}

/** The sample bytes of a WAV written by wavefile-shaped headers (44 bytes). */
export function wavData(file: Buffer): Buffer {
  const w = new wavefile.WaveFile(file)
  return Buffer.from((w.data as { samples: Uint8Array }).samples)
}
