// Packet loss concealment in the manner of ITU-T G.711 Appendix I: when audio is
// missing, continue the last good audio by repeating its most recent pitch period,
// hold it at full level for 10 ms, then fade it to silence by 60 ms. What the appendix
// does with overlap-add at the end of a gap we do with the future when we have it: a
// jitter buffer usually holds the packet after a hole, so the gap crossfades from the
// past's continuation into the next packet's periodic extension backwards. The real
// packets are never touched: a recording stays bit-exact outside the gaps.
// Measured against silence in bench/concealment.mjs (docs/BENCHMARKS.md).

import { bytesPerFrame, bytesPerSample, msToFrames, type AudioFormat } from '../codec/format.js'
import { readSample, writeSample } from '../codec/pcm.js'

const HOLD_MS = 10
const FADE_MS = 50
const MIN_PITCH_MS = 2.5
const MAX_PITCH_MS = 20
const MATCH_MS = 10
const CROSSFADE_MAX_MS = 10

export class Concealer {
  private readonly frameBytes: number
  private readonly sampleBytes: number
  private readonly historyFrames: number
  private readonly minLag: number
  private readonly maxLag: number
  private readonly matchFrames: number
  private readonly holdFrames: number
  private readonly fadeFrames: number
  private readonly crossfadeMax: number
  /** The most recent played chunks, as views (not copies), newest last. */
  private recent: Uint8Array[] = []
  private recentFrames = 0
  private history: Float32Array[] | undefined
  private period = 0
  /** How well the past repeats at that period (normalised correlation, 0..1): the repeat's gain. */
  private match = 0
  /** Frames concealed so far in the current gap. */
  private index = 0

  constructor(private readonly format: AudioFormat) {
    this.frameBytes = bytesPerFrame(format)
    this.sampleBytes = bytesPerSample(format.format)
    const f = (ms: number): number => Math.max(1, msToFrames(ms, format.rateHz))
    this.minLag = f(MIN_PITCH_MS)
    this.maxLag = f(MAX_PITCH_MS)
    this.matchFrames = f(MATCH_MS)
    this.historyFrames = this.maxLag + this.matchFrames
    this.holdFrames = f(HOLD_MS)
    this.fadeFrames = f(FADE_MS)
    this.crossfadeMax = f(CROSSFADE_MAX_MS)
  }

  /** Audio that was played for real: remembered (by reference) as the past to continue. */
  played(pcm: Uint8Array): void {
    this.history = undefined // a gap, if there was one, is over
    this.remember(pcm)
  }

  /** What went out, real or concealed: the next gap continues from it (as G.711 I keeps its history). */
  private remember(pcm: Uint8Array): void {
    this.recent.push(pcm)
    this.recentFrames += pcm.byteLength / this.frameBytes
    while (this.recent.length > 1 && this.recentFrames - this.recent[0]!.byteLength / this.frameBytes >= this.historyFrames) {
      this.recentFrames -= this.recent.shift()!.byteLength / this.frameBytes
    }
  }

  /**
   * The next `count` frames of a gap. `next` is the packet after the gap and `untilNext`
   * the frames from the start of this call to its first frame, when they are known.
   */
  conceal(count: number, next?: Uint8Array, untilNext?: number): Uint8Array {
    if (this.history === undefined) this.startGap()
    const { channels } = this.format
    const hist = this.history!
    const out = new Uint8Array(count * this.frameBytes)
    const view = new DataView(out.buffer)
    const T = this.period
    const H = this.historyFrames
    let future: Float32Array[] | undefined
    let Tb = 0
    let fade = 0
    // The future is extended backwards by whole pitch periods, so it needs one whole period;
    // a packet shorter than the period (a low voice, small packets) leaves the past alone.
    if (next !== undefined && untilNext !== undefined && next.byteLength / this.frameBytes >= T) {
      Tb = T
      future = this.decode([next], Tb, Tb)
      fade = Math.min(this.crossfadeMax, this.index + untilNext)
    }
    for (let k = 0; k < count; k++) {
      const i = this.index + k
      const gain = this.match * (i < this.holdFrames ? 1 : Math.max(0, 1 - (i - this.holdFrames) / this.fadeFrames))
      const src = H - T + (i % T)
      // w: how much of the future to hear, rising to 1 at the next packet.
      let w = 0
      let back = 0
      if (future) {
        const r = untilNext! - k
        w = Math.max(0, Math.min(1, 1 - r / (fade + 1)))
        back = ((-r % Tb) + Tb) % Tb
      }
      for (let c = 0; c < channels; c++) {
        const past = hist[c]![src]! * gain
        const v = w > 0 ? (1 - w) * past + w * future![c]![back]! : past
        writeSample(view, (k * channels + c) * this.sampleBytes, this.format.format, v)
      }
    }
    this.index += count
    this.remember(out)
    return out
  }

  private startGap(): void {
    this.history = this.decode(this.recent, this.historyFrames, this.recentFrames)
    const { lag, match } = this.findPeriod(this.history)
    this.period = lag
    this.match = match
    this.index = 0
  }

  /** The last `frames` frames of `chunks` (of `available` frames) per channel, zero-padded at the front. */
  private decode(chunks: readonly Uint8Array[], frames: number, available: number): Float32Array[] {
    const { channels, format } = this.format
    const out = Array.from({ length: channels }, () => new Float32Array(frames))
    let skip = Math.max(0, available - frames)
    let at = Math.max(0, frames - available)
    for (const chunk of chunks) {
      const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      const n = chunk.byteLength / this.frameBytes
      for (let f = 0; f < n && at < frames; f++) {
        if (skip > 0) {
          skip--
          continue
        }
        for (let c = 0; c < channels; c++) out[c]![at] = readSample(view, f * this.frameBytes + c * this.sampleBytes, format)
        at++
      }
    }
    return out
  }

  /**
   * The lag (in frames) at which the recent past best matches itself, by normalised
   * cross-correlation of the channels' mix, and that correlation. Repeating a signal that
   * does not repeat (noise) only adds error, so the correlation also scales the repeat:
   * the gain that minimises the expected error (a periodic tone 1, white noise about 0).
   */
  private findPeriod(hist: Float32Array[]): { lag: number; match: number } {
    const H = this.historyFrames
    const mix = new Float32Array(H)
    for (const ch of hist) for (let i = 0; i < H; i++) mix[i]! += ch[i]!
    const W = this.matchFrames
    const score = (lag: number, step: number): number => {
      let xy = 0
      let yy = 0
      for (let i = H - W; i < H; i += step) {
        const y = mix[i - lag]!
        xy += mix[i]! * y
        yy += y * y
      }
      return yy > 0 ? xy / Math.sqrt(yy) : 0
    }
    // Coarse search every other lag and sample, then refine around the best.
    let best = this.maxLag
    let bestScore = -Infinity
    for (let lag = this.minLag; lag <= this.maxLag; lag += 2) {
      const s = score(lag, 2)
      if (s > bestScore) {
        bestScore = s
        best = lag
      }
    }
    let refined = best
    bestScore = -Infinity
    for (let lag = Math.max(this.minLag, best - 2); lag <= Math.min(this.maxLag, best + 2); lag++) {
      const s = score(lag, 1)
      if (s > bestScore) {
        bestScore = s
        refined = lag
      }
    }
    let xx = 0
    for (let i = H - W; i < H; i++) xx += mix[i]! * mix[i]!
    const match = xx > 0 && bestScore > 0 ? Math.min(1, bestScore / Math.sqrt(xx)) : 0
    return { lag: refined, match }
  }
}
