// Headless PCM from a file or a pipe, in the format given on the command line.
// A pipe (raw:-) is sent as its data arrives: whoever writes into it is the clock.
// A regular file has no clock of its own, so it is paced like a WAV file.

import { closeSync, createReadStream, fstatSync, openSync, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { bytesPerFrame, type AudioFormat } from '../codec/format.js'
import { PacketChunker } from './packet-chunker.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import { paceReadAhead, type PacedReadAhead } from './paced-read-ahead.js'
import { fileReader, READ_AHEAD_BUFFER_MS, READ_AHEAD_BUFFERS, FileReadAhead } from './file-read-ahead.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class RawSource implements AudioSource {
  readonly needsPacing: boolean
  readonly description: string
  private readonly readAhead: FileReadAhead | undefined
  private stream: Readable | undefined
  private paced: PacedReadAhead | undefined
  /** Frames of silence sent because the disk had not delivered in time. */
  framesPadded = 0

  constructor(
    readonly path: string,
    readonly format: SourceFormat,
    private readonly clock: Clock,
  ) {
    const isPipe = path === '-' || isFifo(path)
    this.needsPacing = !isPipe
    if (!isPipe) {
      // Streamed from disk two seconds ahead, as a WAV's audio is (file-read-ahead.ts): a file of any size in the same memory.
      let fd: number
      try {
        fd = openSync(path, 'r')
      } catch (err) {
        throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
      }
      try {
        const frameBytes = bytesPerFrame(format)
        const file = fileReader(fd)
        this.readAhead = new FileReadAhead({
          ...file,
          startByte: 0,
          lengthBytes: Math.floor(fstatSync(fd).size / frameBytes) * frameBytes,
          fileFrameBytes: frameBytes,
          showFrameBytes: frameBytes,
          convert: null,
          bufferFrames: Math.max(1, Math.ceil((format.rateHz * READ_AHEAD_BUFFER_MS) / 1000)),
          buffers: READ_AHEAD_BUFFERS,
        })
      } catch (err) {
        closeSync(fd)
        throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
      }
    }
    this.description = `raw ${path === '-' ? 'stdin' : path} (${format.rateHz} Hz, ${format.channels} ch, ${format.format})`
  }

  /** A file: resolves when no disk read is under way (the read-ahead is full or the file read); a pipe: at once. */
  whenReadAhead(): Promise<void> {
    return this.readAhead?.whenIdle() ?? Promise.resolve()
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    if (this.readAhead) {
      this.paced = paceReadAhead(this.clock, show, this.readAhead, h, this.path, (frames) => {
        this.framesPadded += frames
      })
      return
    }
    this.stream = this.path === '-' ? process.stdin : createReadStream(this.path)
    const chunker = new PacketChunker(show, (pcm) => h.packet(pcm))
    this.stream.on('data', (chunk: Buffer) => chunker.push(chunk))
    this.stream.once('end', () => {
      chunker.flush()
      h.end()
    })
    this.stream.once('error', (err) => h.end(err))
  }

  stop(): void {
    if (this.paced) this.paced.stop()
    else this.readAhead?.close()
    if (this.stream && this.stream !== process.stdin) this.stream.destroy()
    else this.stream?.pause()
  }
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO()
  } catch {
    return false
  }
}
