// Headless PCM from a file or a pipe, in the format given on the command line.
// A pipe (raw:-) is sent as its data arrives: whoever writes into it is the clock.
// A regular file has no clock of its own, so it is paced like a WAV file.

import { createReadStream, readFileSync, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { AudioFormat } from '../codec/format.js'
import { PacketChunker } from './packet-chunker.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import { paceBytes } from './paced-bytes.js'
import type { Pacer } from './pacer.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class RawSource implements AudioSource {
  readonly needsPacing: boolean
  readonly description: string
  private readonly fileBytes: Uint8Array | undefined
  private stream: Readable | undefined
  private pacer: Pacer | undefined

  constructor(
    readonly path: string,
    readonly format: SourceFormat,
    private readonly clock: Clock,
  ) {
    const isPipe = path === '-' || isFifo(path)
    this.needsPacing = !isPipe
    if (!isPipe) {
      try {
        this.fileBytes = readFileSync(path)
      } catch (err) {
        throw new UsageError('SOURCE_UNREADABLE', `cannot read ${path}: ${describeFsError(err)}`)
      }
    }
    this.description = `raw ${path === '-' ? 'stdin' : path} (${format.rateHz} Hz, ${format.channels} ch, ${format.format})`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    if (this.fileBytes) {
      this.pacer = paceBytes(this.clock, show, this.fileBytes, h)
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
    this.pacer?.stop()
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
