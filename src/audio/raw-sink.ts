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

  /** A pipe or terminal plays in real time (on the show clock); a file records every frame. Known at open. */
  realtime = false

  /** The descriptor, for a playout thread that writes it (playout-worker.ts). */
  get fd(): number | undefined {
    return this.out.descriptor
  }

  open(): void {
    this.realtime = this.out.live
  }

  write(pcm: Uint8Array): void {
    this.out.write(pcm)
  }

  async close(): Promise<void> {
    this.out.close()
  }
}
