// Plays a WAV file (16- or 24-bit integer, 32-bit float; WAVE_FORMAT_EXTENSIBLE too)
// at real-time pace. Parsing is wavefile's; we only take its raw sample bytes, which
// are already interleaved little-endian PCM, and send them untouched (bit-exact).

import { readFileSync } from 'node:fs'
import wavefile from 'wavefile'
import { bytesPerFrame, type AudioFormat, type SampleFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import { paceBytes } from './paced-bytes.js'
import type { Pacer } from './pacer.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

const WAVE_FORMAT_PCM = 1
const WAVE_FORMAT_IEEE_FLOAT = 3
const WAVE_FORMAT_EXTENSIBLE = 0xfffe

export class WavSource implements AudioSource {
  readonly needsPacing = true
  readonly description: string
  readonly format: SourceFormat
  private readonly samples: Uint8Array
  private pacer: Pacer | undefined

  constructor(
    readonly path: string,
    private readonly clock: Clock,
  ) {
    let bytes: Buffer
    try {
      bytes = readFileSync(path)
    } catch (err) {
      throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
    }
    const wav = new wavefile.WaveFile()
    try {
      wav.fromBuffer(bytes)
    } catch (err) {
      throw new UsageError('SOURCE_NOT_WAV', `${path} is not a WAV file wavefile can read: ${(err as Error).message}`)
    }
    const fmt = wav.fmt as { audioFormat: number; numChannels: number; sampleRate: number; bitsPerSample: number; subformat?: number[] }
    const tag = fmt.audioFormat === WAVE_FORMAT_EXTENSIBLE ? (fmt.subformat?.[0] ?? 0) : fmt.audioFormat
    const format = sampleFormatOf(tag, fmt.bitsPerSample)
    if (!format) {
      throw new UsageError(
        'SOURCE_FORMAT',
        `${path}: ${fmt.bitsPerSample}-bit ${tag === WAVE_FORMAT_IEEE_FLOAT ? 'float' : 'integer'} WAV is not supported (use 16- or 24-bit integer or 32-bit float)`,
      )
    }
    this.format = { rateHz: fmt.sampleRate, channels: fmt.numChannels, format }
    this.samples = (wav.data as { samples: Uint8Array }).samples
    const frames = Math.floor(this.samples.byteLength / bytesPerFrame(this.format))
    this.description = `${path} (${this.format.rateHz} Hz, ${this.format.channels} ch, ${format}, ${(frames / this.format.rateHz).toFixed(1)} s)`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    this.pacer = paceBytes(this.clock, show, this.samples, h)
  }

  stop(): void {
    this.pacer?.stop()
  }
}

function sampleFormatOf(tag: number, bits: number): SampleFormat | undefined {
  if (tag === WAVE_FORMAT_PCM && bits === 16) return 's16le'
  if (tag === WAVE_FORMAT_PCM && bits === 24) return 's24le'
  if (tag === WAVE_FORMAT_IEEE_FLOAT && bits === 32) return 'f32le'
  return undefined
}
