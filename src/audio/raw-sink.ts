// Headerless PCM to a file or to stdout (raw:-), for piping into aplay, sox, ffmpeg.

import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import { RawWriter } from '../raw-writer.js'
import type { AudioSink } from './sink.js'

export class RawSink implements AudioSink {
  readonly description: string
  private readonly out: RawWriter

  constructor(readonly path: string) {
    this.description = path === '-' ? 'raw stdout' : `raw ${path}`
    try {
      this.out = new RawWriter(path)
    } catch (err) {
      throw new UsageError('SINK_UNWRITABLE', `cannot write ${path}: ${describeFsError(err)}`)
    }
  }

  open(): void {}

  write(pcm: Uint8Array): void {
    this.out.write(pcm)
  }

  async close(): Promise<void> {
    this.out.close()
  }
}
