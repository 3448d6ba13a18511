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

/** One WAV of any layout, built byte by byte (Microsoft RIFF / WAVEFORMATEXTENSIBLE, EBU Tech 3306 for RF64). */
export interface WavLayout {
  /** @default 'RIFF' */
  container?: 'RIFF' | 'RIFX' | 'RF64'
  /** WAVE_FORMAT_*: 1 PCM, 3 float, 6 A-law, 7 µ-law. @default 1 */
  formatTag?: number
  bits: number
  /** EXTENSIBLE's wValidBitsPerSample; giving it writes an EXTENSIBLE fmt chunk. */
  validBits?: number
  /** Write WAVE_FORMAT_EXTENSIBLE with `formatTag` as its SubFormat. @default validBits !== undefined */
  extensible?: boolean
  channels?: number
  rateHz?: number
  /** The sample bytes, in the file's byte order. */
  data: Uint8Array
  /** What the data chunk's size field says. @default data.length (0xFFFFFFFF for RF64) */
  dataSizeField?: number
  /** RF64: ds64's dataSize. @default data.length */
  ds64DataBytes?: number
  /** Chunks before fmt and between fmt and data (LIST, JUNK, bext...), and after the data. */
  before?: Array<[string, Uint8Array]>
  between?: Array<[string, Uint8Array]>
  after?: Array<[string, Uint8Array]>
  /** Only write the first N bytes of the data (a file cut short). */
  cutDataAt?: number
}

export function buildWav(l: WavLayout): Buffer {
  const container = l.container ?? 'RIFF'
  const be = container === 'RIFX'
  const channels = l.channels ?? 2
  const rateHz = l.rateHz ?? 48000
  const tag = l.formatTag ?? 1
  const extensible = l.extensible ?? l.validBits !== undefined
  const u16 = (n: number): Buffer => {
    const b = Buffer.alloc(2)
    be ? b.writeUInt16BE(n) : b.writeUInt16LE(n)
    return b
  }
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4)
    be ? b.writeUInt32BE(n >>> 0) : b.writeUInt32LE(n >>> 0)
    return b
  }
  const u64 = (n: number): Buffer =>
    Buffer.concat(be ? [u32(Math.floor(n / 2 ** 32)), u32(n % 2 ** 32)] : [u32(n % 2 ** 32), u32(Math.floor(n / 2 ** 32))])
  const chunk = (id: string, body: Uint8Array, sizeField = body.length): Buffer =>
    Buffer.concat([Buffer.from(id, 'latin1'), u32(sizeField), body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)])
  const blockAlign = (channels * l.bits) / 8
  const fmtBody = Buffer.concat([
    u16(extensible ? 0xfffe : tag),
    u16(channels),
    u32(rateHz),
    u32(rateHz * blockAlign),
    u16(blockAlign),
    u16(l.bits),
    ...(extensible
      ? // cbSize 22, valid bits, channel mask, SubFormat GUID {tag}-0000-0010-8000-00aa00389b71
        [
          u16(22),
          u16(l.validBits ?? l.bits),
          u32(0),
          u32(tag),
          Buffer.from([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]),
        ]
      : []),
  ])
  const rf64 = container === 'RF64'
  const data = l.cutDataAt === undefined ? l.data : l.data.subarray(0, l.cutDataAt)
  const dataChunk = Buffer.concat([Buffer.from('data'), u32(l.dataSizeField ?? (rf64 ? 0xffffffff : l.data.length)), data])
  const pad = l.cutDataAt === undefined && data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)
  const ds64 = rf64 ? [chunk('ds64', Buffer.concat([u64(0), u64(l.ds64DataBytes ?? l.data.length), u64(0), u32(0)]))] : []
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    ...ds64,
    ...(l.before ?? []).map(([id, b]) => chunk(id, b)),
    chunk('fmt ', fmtBody),
    ...(l.between ?? []).map(([id, b]) => chunk(id, b)),
    dataChunk,
    pad,
    ...(l.cutDataAt === undefined ? (l.after ?? []).map(([id, b]) => chunk(id, b)) : []),
  ])
  return Buffer.concat([Buffer.from(container, 'latin1'), u32(rf64 ? 0xffffffff : body.length), body])
}

/** Seeded noise bytes (a linear congruential generator, as writeNoiseWav's). */
export function noiseBytes(length: number, seed = 12345): Buffer {
  const b = Buffer.alloc(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0
    b[i] = x >>> 24
  }
  return b
}
