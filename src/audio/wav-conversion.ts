// What a WAV's samples become on the wire: as they are where the file already holds one of
// the show's formats (16/24-bit integer, 32-bit float, little-endian), otherwise the nearest
// show format, said in one line. Lossless: 8-bit unsigned and G.711 (A-law, µ-law) to
// s16le, 24 valid bits in a 32-bit container to s24le, big-endian (RIFX) byte order
// swapped. Rounded (refused by --bit-exact, as a card's rounding is): 32-bit integer to
// f32le (the default) or s24le (--format s24le), 64-bit float to f32le.

import alawmulaw from 'alawmulaw'
import { bytesPerSample, type SampleFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { WAVE_FORMAT, type WavHeader } from './wav-header.js'

/** Converts `src` (whole samples of the file) into `dst` (as many samples of the show's format). */
export type Convert = (src: Uint8Array, dst: Uint8Array) => void

export interface WavPlan {
  /** The show's sample format. */
  format: SampleFormat
  /** Bytes one sample takes in the file. */
  fileSampleBytes: number
  /** null: the file's bytes are the show's, sent as they are (bit-exact). */
  convert: Convert | null
  /** The conversion in words (`8-bit unsigned -> s16le (lossless)`); null when there is none. */
  conversion: string | null
  /** Every value of the file survives the conversion (what --bit-exact allows). */
  lossless: boolean
}

export interface PlanOptions {
  /** The --format the operator gave, if any: picks s24le or f32le for a 32-bit integer file, and must match any other. */
  format?: SampleFormat | undefined
  /** --bit-exact: refuse a conversion that rounds. */
  bitExact?: boolean
}

const SUPPORTED = '8/16/24/32-bit integer, 32/64-bit float, A-law and µ-law'

/** The file's sample format in words: `16-bit integer`, `24-bit in a 32-bit container`, `µ-law`. */
export function describeWavFormat(h: WavHeader): string {
  const bits = h.bitsPerSample
  switch (h.formatTag) {
    case WAVE_FORMAT.PCM:
      if (bits === 8) return '8-bit unsigned'
      return h.validBits < bits ? `${h.validBits}-bit in a ${bits}-bit container` : `${bits}-bit integer`
    case WAVE_FORMAT.IEEE_FLOAT:
      return `${bits}-bit float`
    case WAVE_FORMAT.ALAW:
      return 'A-law'
    case WAVE_FORMAT.MULAW:
      return 'µ-law'
    default:
      return `format 0x${h.formatTag.toString(16).padStart(4, '0')}`
  }
}

/** How a WAV plays; a format it cannot play, or a clash with --format or --bit-exact, is one UsageError naming the file. */
export function planWav(path: string, h: WavHeader, o: PlanOptions = {}): WavPlan {
  const what = describeWavFormat(h)
  const le = !h.bigEndian
  type Step = Omit<WavPlan, 'conversion' | 'lossless'> & { native?: true }
  // Already a show format: sent as it is, swapped for RIFX.
  const native = (format: SampleFormat): Step => ({
    format,
    fileSampleBytes: bytesPerSample(format),
    convert: le ? null : swapBytes(bytesPerSample(format)),
    native: true,
  })
  let plan: Step | undefined
  let lossless = true
  let choices: SampleFormat[] = []
  const bits = h.bitsPerSample
  if (h.formatTag === WAVE_FORMAT.PCM) {
    if (bits === 8) plan = { format: 's16le', fileSampleBytes: 1, convert: u8ToS16 }
    else if (bits === 16) plan = native('s16le')
    else if (bits === 24) plan = native('s24le')
    else if (bits === 32 && h.validBits <= 24) plan = { format: 's24le', fileSampleBytes: 4, convert: s32ToS24(le, 'valid24') }
    else if (bits === 32) {
      choices = ['f32le', 's24le']
      const format = o.format === 's24le' ? 's24le' : 'f32le'
      plan = { format, fileSampleBytes: 4, convert: format === 's24le' ? s32ToS24(le, 'round') : s32ToF32(le) }
      lossless = false
    }
  } else if (h.formatTag === WAVE_FORMAT.IEEE_FLOAT) {
    if (bits === 32) plan = native('f32le')
    else if (bits === 64) {
      plan = { format: 'f32le', fileSampleBytes: 8, convert: f64ToF32(le) }
      lossless = false
    }
  } else if ((h.formatTag === WAVE_FORMAT.ALAW || h.formatTag === WAVE_FORMAT.MULAW) && bits === 8) {
    // G.711 decoding (ITU-T G.711, as alawmulaw implements it): every code has one 16-bit value.
    plan = { format: 's16le', fileSampleBytes: 1, convert: g711ToS16(h.formatTag === WAVE_FORMAT.ALAW ? alawmulaw.alaw : alawmulaw.mulaw) }
  }
  if (!plan) throw new UsageError('SOURCE_FORMAT', `${path}: ${what} WAV is not supported (it plays ${SUPPORTED})`)
  if (o.format !== undefined && o.format !== plan.format) {
    const can = choices.length ? choices.join(' or ') : plan.format
    throw new UsageError(
      'FORMAT_CLASH',
      `${path} is ${what}, which plays as ${can}, but --format ${o.format} was given (a WAV source sets the show's format; drop the flag)`,
    )
  }
  // The steps said: the byte order (RIFX, samples wider than a byte), then the format unless it is the show's already.
  const steps = [
    ...(h.bigEndian && plan.fileSampleBytes > 1 ? ['big-endian (RIFX), byte order swapped'] : []),
    ...(plan.native ? [] : [`${what} -> ${plan.format}`]),
  ]
  const conversion = steps.length ? `${steps.join('; ')} (${lossless ? 'lossless' : 'rounded'})` : null
  // --bit-exact: the show's samples are the file's, as they are: any change of format is refused,
  // lossless or not (issue 13: convert, say so, "and refuse only with --bit-exact"). RIFX's byte
  // swap changes no sample, only how it is stored, and plays.
  if (o.bitExact && !plan.native) {
    throw new UsageError(
      'NOT_BIT_EXACT',
      `${path}: --bit-exact forbids ${what} -> ${plan.format}, ${lossless ? 'a conversion' : 'which rounds'} (drop --bit-exact, or give a 16/24-bit integer or 32-bit float file)`,
    )
  }
  const { native: _, ...chosen } = plan
  return { ...chosen, conversion, lossless }
}

/** RIFX: each sample's bytes reversed, nothing else. */
function swapBytes(n: number): Convert {
  return (src, dst) => {
    for (let i = 0; i < src.byteLength; i += n) for (let k = 0; k < n; k++) dst[i + k] = src[i + n - 1 - k]!
  }
}

/** 8-bit WAV is unsigned with 0x80 as silence (Microsoft RIFF 1.0, "Data Format of the Samples"): 0x80 -> 0, 0x00 -> -32768, 0xFF -> 32512. */
const u8ToS16: Convert = (src, dst) => {
  const out = view(dst)
  for (let i = 0; i < src.byteLength; i++) out.setInt16(i * 2, (src[i]! - 128) << 8, true)
}

/** 32-bit integer to 24: the top three bytes, lossless where only 24 bits are valid; otherwise rounded to nearest and clamped. */
function s32ToS24(le: boolean, how: 'valid24' | 'round'): Convert {
  return (src, dst) => {
    const v = view(src)
    for (let i = 0, o = 0; i < src.byteLength; i += 4, o += 3) {
      const x = v.getInt32(i, le)
      const y = how === 'valid24' ? x >> 8 : Math.min(0x7f_ffff, Math.round(x / 256))
      dst[o] = y & 0xff
      dst[o + 1] = (y >> 8) & 0xff
      dst[o + 2] = (y >> 16) & 0xff
    }
  }
}

/** 32-bit integer to float: full scale 2^31 is 1.0 (the convention of libsndfile and sox), rounded to float's 24-bit mantissa. */
function s32ToF32(le: boolean): Convert {
  return (src, dst) => {
    const v = view(src)
    const out = view(dst)
    for (let i = 0; i < src.byteLength; i += 4) out.setFloat32(i, v.getInt32(i, le) / 2147483648, true)
  }
}

function f64ToF32(le: boolean): Convert {
  return (src, dst) => {
    const v = view(src)
    const out = view(dst)
    for (let i = 0, o = 0; i < src.byteLength; i += 8, o += 4) out.setFloat32(o, v.getFloat64(i, le), true)
  }
}

function g711ToS16(codec: { decode(samples: Uint8Array): Int16Array }): Convert {
  return (src, dst) => {
    const pcm = codec.decode(src)
    const out = view(dst)
    for (let i = 0; i < pcm.length; i++) out.setInt16(i * 2, pcm[i]!, true)
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}
