// Plays a WAV file at real-time pace, streamed from disk: the header is walked from the
// file's first bytes (wav-header.ts), the audio read ahead of the pacer in a few fixed
// buffers (file-read-ahead.ts), so a file of any size (RF64 past 4 GiB) plays in the same
// memory. A file already in one of the show's formats is sent untouched (bit-exact); any
// other is converted to the nearest one and says so (wav-conversion.ts).

import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { bytesPerSample, type AudioFormat, type SampleFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import { paceReadAhead, type PacedReadAhead } from './paced-read-ahead.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'
import { planWav } from './wav-conversion.js'
import { readWavHeader, type WavHeader } from './wav-header.js'
import { fileReader, READ_AHEAD_BUFFER_MS, READ_AHEAD_BUFFERS, type ReadFile, FileReadAhead } from './file-read-ahead.js'

export interface WavSourceOptions {
  /** --format as the operator gave it: picks s24le or f32le for a 32-bit integer file, and must match any other. */
  format?: SampleFormat | undefined
  /** --bit-exact: refuse a conversion that rounds. */
  bitExact?: boolean
  /** How the audio is read from disk (a test slows it down); fs.read by default. */
  read?: ReadFile
}

export class WavSource implements AudioSource {
  readonly needsPacing = true
  readonly description: string
  readonly format: SourceFormat
  /** How the file's samples reach the show's format, in words; null: as they are. */
  readonly conversion: string | null
  /** What the operator should know before the show (a file cut short, a size never written). */
  readonly warnings: readonly string[]
  /** Frames the file holds (what plays), and how long that is. */
  readonly frames: number
  readonly durationS: number
  readonly header: WavHeader
  /** Frames of silence sent because the disk had not delivered in time. */
  framesPadded = 0
  private readonly readAhead: FileReadAhead
  private paced: PacedReadAhead | undefined

  constructor(
    readonly path: string,
    private readonly clock: Clock,
    o: WavSourceOptions = {},
  ) {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch (err) {
      throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
    }
    try {
      const fileBytes = fstatSync(fd).size
      // The header only, before the show listens: a few small synchronous reads of chunk headers.
      this.header = readWavHeader(path, (position, length) => {
        const b = new Uint8Array(length)
        return b.subarray(0, readSync(fd, b, 0, length, position))
      })
      const plan = planWav(path, this.header, o)
      const h = this.header
      this.format = { rateHz: h.rateHz, channels: h.channels, format: plan.format }
      this.conversion = plan.conversion
      const fileFrameBytes = plan.fileSampleBytes * h.channels
      const heldBytes = Math.max(0, fileBytes - h.dataOffset)
      const playBytes = Math.min(h.dataBytes ?? heldBytes, heldBytes)
      this.frames = fileFrameBytes > 0 ? Math.floor(playBytes / fileFrameBytes) : 0
      const seconds = (frames: number): string => `${(h.rateHz > 0 ? frames / h.rateHz : 0).toFixed(1)} s`
      this.durationS = h.rateHz > 0 ? this.frames / h.rateHz : 0
      const warnings: string[] = []
      const saidFrames = h.dataBytes !== null && fileFrameBytes > 0 ? Math.floor(h.dataBytes / fileFrameBytes) : undefined
      if (h.dataBytes === 0) throw new UsageError('SOURCE_EMPTY', `${path}: its data chunk is empty: there is no audio to play`)
      if (saidFrames !== undefined && saidFrames > this.frames) {
        const cut = `${path}: data chunk says ${seconds(saidFrames)}, the file holds ${seconds(this.frames)}`
        if (this.frames === 0) throw new UsageError('SOURCE_EMPTY', `${cut}: it was cut before the audio, there is nothing to play`)
        warnings.push(`${cut}: playing ${seconds(this.frames)} (the file was cut short)`)
      }
      if (h.dataBytes === null) {
        warnings.push(
          `${path}: the data chunk's size was never written (a recorder that stopped, or a pipe): playing to the end of the file, ${seconds(this.frames)}`,
        )
      }
      if (this.frames === 0 && fileFrameBytes > 0)
        throw new UsageError('SOURCE_EMPTY', `${path}: its data chunk holds no whole frame: there is no audio to play`)
      this.warnings = warnings
      this.description = `${path} (${h.rateHz} Hz, ${h.channels} ch, ${plan.format}, ${seconds(this.frames)})`
      const showFrameBytes = bytesPerSample(plan.format) * h.channels
      const file = fileReader(fd)
      this.readAhead = new FileReadAhead({
        read: o.read ?? file.read,
        close: file.close,
        startByte: h.dataOffset,
        lengthBytes: this.frames * fileFrameBytes,
        fileFrameBytes: Math.max(1, fileFrameBytes),
        showFrameBytes: Math.max(1, showFrameBytes),
        convert: plan.convert,
        bufferFrames: Math.max(1, Math.ceil((h.rateHz * READ_AHEAD_BUFFER_MS) / 1000)),
        buffers: READ_AHEAD_BUFFERS,
      })
    } catch (err) {
      closeSync(fd)
      if (err instanceof UsageError) throw err
      throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
    }
  }

  /** Bytes this source holds in memory for the audio, whatever the file's size. */
  get readAheadBytes(): number {
    return this.readAhead.capacityBytes
  }

  /** Resolves when no disk read is under way (the read-ahead is full or the file read). */
  whenReadAhead(): Promise<void> {
    return this.readAhead.whenIdle()
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    this.paced = paceReadAhead(this.clock, show, this.readAhead, h, this.path, (frames) => {
      this.framesPadded += frames
    })
  }

  stop(): void {
    if (this.paced) this.paced.stop()
    else this.readAhead.close()
  }
}
