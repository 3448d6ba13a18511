// Headerless PCM to a file or to stdout (raw:-), for piping into aplay, sox, ffmpeg.

import { closeSync, openSync, writeSync } from 'node:fs'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { AudioSink } from './sink.js'

export class RawSink implements AudioSink {
  readonly description: string
  private fd: number | undefined

  constructor(readonly path: string) {
    this.description = path === '-' ? 'raw stdout' : `raw ${path}`
    if (path === '-') {
      this.fd = 1
      return
    }
    try {
      this.fd = openSync(path, 'w')
    } catch (err) {
      throw new UsageError('SINK_UNWRITABLE', `cannot write ${path}: ${describeFsError(err)}`)
    }
  }

  open(): void {}

  write(pcm: Uint8Array): void {
    if (this.fd === undefined) return
    try {
      writeSync(this.fd, pcm)
    } catch (err) {
      // The reader of a pipe went away (EPIPE): stop writing, keep the session.
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') this.fd = undefined
      else if ((err as NodeJS.ErrnoException).code === 'EAGAIN') this.writeBlocking(pcm)
      else throw err
    }
  }

  async close(): Promise<void> {
    if (this.fd !== undefined && this.fd !== 1) closeSync(this.fd)
    this.fd = undefined
  }

  /** stdout may be a non-blocking pipe; a full pipe is retried rather than losing audio. */
  private writeBlocking(pcm: Uint8Array): void {
    let offset = 0
    const deadline = Date.now() + 1000
    while (offset < pcm.byteLength && this.fd !== undefined && Date.now() < deadline) {
      try {
        offset += writeSync(this.fd, pcm, offset)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      }
    }
  }
}
