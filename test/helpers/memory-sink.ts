import type { AudioSink } from '../../src/audio/sink.js'

/** Collects what a playout writes, with the clock time of each write. */
export class MemorySink implements AudioSink {
  readonly description = 'memory'
  chunks: Uint8Array[] = []
  times: number[] = []
  closed = false
  constructor(private readonly now: () => number = () => 0) {}
  open(): void {}
  write(pcm: Uint8Array): void {
    this.chunks.push(pcm.slice())
    this.times.push(this.now())
  }
  async close(): Promise<void> {
    this.closed = true
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }
}
