// A sine test tone on every channel at -12 dBFS: the soundcheck every stage tech knows.
// Phase is carried from packet to packet so the tone is continuous.

import { bytesPerFrame, bytesPerSample, framesToMs, type AudioFormat } from '../codec/format.js'
import { Pacer } from './pacer.js'
import { writeSample } from '../codec/pcm.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'
import type { Clock } from '../clock.js'

const AMPLITUDE = 0.25 // -12 dBFS

export class ToneSource implements AudioSource {
  readonly needsPacing = true
  readonly description: string
  private pacer: Pacer | undefined
  private phase = 0

  constructor(
    readonly format: SourceFormat,
    readonly frequencyHz: number,
    private readonly clock: Clock,
  ) {
    this.description = `tone ${frequencyHz} Hz`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    const step = (2 * Math.PI * this.frequencyHz) / show.rateHz
    const frameBytes = bytesPerFrame(show)
    const sampleBytes = bytesPerSample(show.format)
    this.pacer = new Pacer(this.clock, framesToMs(show.framesPerPacket, show.rateHz), () => {
      const pcm = new Uint8Array(show.framesPerPacket * frameBytes)
      const view = new DataView(pcm.buffer)
      for (let i = 0; i < show.framesPerPacket; i++) {
        const value = AMPLITUDE * Math.sin(this.phase)
        this.phase += step
        if (this.phase > 2 * Math.PI) this.phase -= 2 * Math.PI
        for (let c = 0; c < show.channels; c++) writeSample(view, i * frameBytes + c * sampleBytes, show.format, value)
      }
      h.packet(pcm)
      return true
    })
    this.pacer.start()
  }

  stop(): void {
    this.pacer?.stop()
  }
}
