import { Pacer } from '../../src/audio/pacer.js'
import type { AudioSource, SourceFormat, SourceHandlers } from '../../src/audio/source.js'
import type { AudioFormat } from '../../src/codec/format.js'
import type { Clock } from '../../src/clock.js'

/** A paced source of `packets` packets whose bytes are a known pattern, so sinks can be checked exactly. */
export class CountingSource implements AudioSource {
  readonly needsPacing = true
  readonly description = 'counting'
  private pacer: Pacer | undefined
  readonly sent: Uint8Array[] = []
  constructor(
    readonly format: SourceFormat,
    private readonly clock: Clock,
    private readonly packets: number,
  ) {}
  start(show: AudioFormat, h: SourceHandlers): void {
    const bytes = show.framesPerPacket * show.channels * 2
    this.pacer = new Pacer(this.clock, (show.framesPerPacket * 1000) / show.rateHz, () => {
      if (this.sent.length === this.packets) {
        h.end()
        return false
      }
      const pcm = new Uint8Array(bytes)
      for (let i = 0; i < bytes; i++) pcm[i] = (this.sent.length * 7 + i) & 0xff
      this.sent.push(pcm)
      h.packet(pcm)
      return true
    })
    this.pacer.start()
  }
  stop(): void {
    this.pacer?.stop()
  }
  get bytes(): Buffer {
    return Buffer.concat(this.sent)
  }
}
