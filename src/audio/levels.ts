// Level meters for the operator: peak and RMS per channel in dBFS, the way a console's
// meters behave: peaks fall back at 20 dB/s (PPM-like), RMS is averaged over ~300 ms.
// Reading never resets them, so the console and the --json stats can both read.

import type { Clock } from '../clock.js'
import { bytesPerFrame, bytesPerSample, type AudioFormat } from '../codec/format.js'
import { readSample } from '../codec/pcm.js'

/** Below this a meter reads as silence. */
export const FLOOR_DB = -90
const PEAK_FALL_DB_PER_S = 20
const RMS_WINDOW_S = 0.3

export interface Levels {
  peakDb: number[]
  rmsDb: number[]
}

export class LevelMeter {
  private readonly peak: number[]
  private readonly meanSquare: number[]
  private lastMs: number | undefined

  /** `clock`: what the peaks fall back on (the runner's). */
  constructor(
    private readonly format: AudioFormat,
    private readonly clock: Clock,
  ) {
    this.peak = new Array(format.channels).fill(0)
    this.meanSquare = new Array(format.channels).fill(0)
  }

  /** One packet of the show's PCM. */
  feed(pcm: Uint8Array): void {
    const { channels, rateHz } = this.format
    const frameBytes = bytesPerFrame(this.format)
    const sampleBytes = bytesPerSample(this.format.format)
    const frames = Math.floor(pcm.byteLength / frameBytes)
    if (frames === 0) return
    this.decay()
    const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength)
    // One-pole average whose time constant is RMS_WINDOW_S, applied per packet.
    const a = Math.min(1, frames / (rateHz * RMS_WINDOW_S))
    for (let c = 0; c < channels; c++) {
      let peak = 0
      let sum = 0
      for (let i = 0; i < frames; i++) {
        const v = readSample(view, i * frameBytes + c * sampleBytes, this.format.format)
        const m = Math.abs(v)
        if (m > peak) peak = m
        sum += v * v
      }
      if (peak > this.peak[c]!) this.peak[c] = peak
      this.meanSquare[c] = this.meanSquare[c]! + a * (sum / frames - this.meanSquare[c]!)
    }
  }

  read(): Levels {
    this.decay()
    return { peakDb: this.peak.map(toDb), rmsDb: this.meanSquare.map((ms) => toDb(Math.sqrt(ms))) }
  }

  /** Peaks fall back with time, whether or not audio comes. */
  private decay(): void {
    const now = this.clock.now()
    if (this.lastMs !== undefined) {
      const factor = 10 ** ((-PEAK_FALL_DB_PER_S * (now - this.lastMs)) / 1000 / 20)
      for (let c = 0; c < this.peak.length; c++) this.peak[c] = this.peak[c]! * factor
    }
    this.lastMs = now
  }
}

export function toDb(amplitude: number): number {
  if (amplitude <= 0) return FLOOR_DB
  return Math.max(FLOOR_DB, Math.round(20 * Math.log10(amplitude) * 10) / 10)
}
