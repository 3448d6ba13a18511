// Headless PCM from a file or a pipe, in the format given on the command line.
// A pipe (raw:-) is sent as its data arrives: whoever writes into it is the clock.
// A regular file has no clock of its own, so it is paced like a WAV file.

import { createReadStream, readFileSync, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { bytesPerFrame, type AudioFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../session/clock.js'
import { paceBytes } from './paced-bytes.js'
import type { Pacer } from './pacer.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class RawSource implements AudioSource {
  readonly needsPacing: boolean
  readonly description: string
  private readonly fileBytes: Uint8Array | undefined
  private stream: Readable | undefined
  private pacer: Pacer | undefined

  constructor(readonly path: string, readonly format: SourceFormat, private readonly clock: Clock) {
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
    const packetBytes = show.framesPerPacket * bytesPerFrame(show)
    if (this.fileBytes) {
      this.pacer = paceBytes(this.clock, show, this.fileBytes, h)
      return
    }
    this.stream = this.path === '-' ? process.stdin : createReadStream(this.path)
    const frameBytes = bytesPerFrame(show)
    let pending: Buffer = Buffer.alloc(0)
    this.stream.on('data', (chunk: Buffer) => {
      pending = pending.byteLength === 0 ? chunk : Buffer.concat([pending, chunk])
      let offset = 0
      while (pending.byteLength - offset >= packetBytes) {
        h.packet(pending.subarray(offset, offset + packetBytes))
        offset += packetBytes
      }
      pending = pending.subarray(offset)
    })
    this.stream.once('end', () => {
      // Flush the tail as a short packet, whole frames only.
      const whole = pending.byteLength - (pending.byteLength % frameBytes)
      if (whole > 0) h.packet(pending.subarray(0, whole))
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
