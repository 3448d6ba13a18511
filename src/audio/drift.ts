// Clock drift between the show and a rig's sound card, for a rig without a show clock (before
// its first due time, or with --adaptive): on the show clock device/steering.ts steers the
// card instead, and this controller is no longer fed. The card never runs at exactly the
// server's rate, so the frames waiting for it creep up (card slow) or down (card fast) over
// a long show. This controller watches that level against where it settled, and asks the
// sink to drop or insert a single frame when it has moved, at most once per
// MIN_GAP_MS, and measures the drift in ppm from how fast the card takes frames.
// Pure: fed levels and consumption with timestamps; the sink does the audio.

import { readS16, readS24 } from '../codec/pcm.js'

/** The level is averaged over this long (from the start, and again after each disturbance) before it counts. */
const SETTLE_MS = 2000
/** One correction at most this often: up to ~400 ppm at 48 kHz (real cards are within ~100). */
const MIN_GAP_MS = 50
/** Corrections start when the level is this many frames from its target. */
const DEADBAND_FRAMES = 32

export interface DriftStats {
  /** Measured card rate against nominal, parts per million (+: the card runs fast). */
  driftPpm: number
  framesInserted: number
  framesDropped: number
}

export class DriftController {
  private startMs: number | undefined
  private consumedFrames = 0
  /** Least-squares fit of frames taken against time since the level settled: its slope is the card's rate. */
  private fit = { n: 0, t: 0, f: 0, tt: 0, tf: 0, t0: 0, f0: 0 }
  private levelAvg: number | undefined
  private target: number | undefined
  /** When the level last settled from: the first take, or the last disturbance. */
  private settleFromMs: number | undefined
  private lastFixMs = -Infinity
  readonly stats: DriftStats = { driftPpm: 0, framesInserted: 0, framesDropped: 0 }

  constructor(private readonly rateHz: number) {}

  /** The card took `frames` at `nowMs`. */
  consumed(frames: number, nowMs: number): void {
    if (this.startMs === undefined) {
      this.startMs = nowMs
      return // the first take starts the clock
    }
    this.consumedFrames += frames
    // Before it settles the card's queue is still filling, which would read as a fast card.
    if (nowMs - this.startMs < SETTLE_MS) return
    const fit = this.fit
    if (fit.n === 0) {
      fit.t0 = nowMs
      fit.f0 = this.consumedFrames
    }
    const t = (nowMs - fit.t0) / 1000
    const f = this.consumedFrames - fit.f0
    fit.n++
    fit.t += t
    fit.f += f
    fit.tt += t * t
    fit.tf += t * f
    const den = fit.n * fit.tt - fit.t * fit.t
    // Whole buffers arrive in steps: the slope over many seconds is the rate, the last step is noise.
    if (fit.n > 100 && t > 5) {
      const rate = (fit.n * fit.tf - fit.t * fit.f) / den
      this.stats.driftPpm = Math.round((rate / this.rateHz - 1) * 1e6 * 10) / 10
    }
  }

  /**
   * The sink skipped frames (a burst from the playout, a stalled card): the level was moved
   * by force, not by the clocks. Where it settles next becomes the target, so the controller
   * never steers back toward a level that a burst set (a UDP rig's first seconds, when its
   * jitter buffer gives back its startup depth, measured 0.5 s of it).
   */
  disturbed(nowMs: number): void {
    this.target = undefined
    this.levelAvg = undefined
    this.settleFromMs = nowMs
  }

  /** Frames waiting for the card now. */
  observe(queuedFrames: number, nowMs: number): void {
    // A slow average: a packet arriving or a buffer leaving must not look like drift.
    this.levelAvg = this.levelAvg === undefined ? queuedFrames : this.levelAvg + 0.01 * (queuedFrames - this.levelAvg)
    const from = this.settleFromMs ?? this.startMs
    if (this.target === undefined && from !== undefined && nowMs - from >= SETTLE_MS) this.target = this.levelAvg
  }

  /** -1: drop one frame from the next packet; +1: insert one; 0: leave it. */
  correction(nowMs: number): -1 | 0 | 1 {
    if (this.target === undefined || this.levelAvg === undefined || nowMs - this.lastFixMs < MIN_GAP_MS) return 0
    const off = this.levelAvg - this.target
    if (Math.abs(off) < DEADBAND_FRAMES) return 0
    this.lastFixMs = nowMs
    if (off > 0) {
      this.stats.framesDropped++
      this.levelAvg -= 1
      return -1
    }
    this.stats.framesInserted++
    this.levelAvg += 1
    return 1
  }
}

/**
 * The packet with one frame dropped (-1) or repeated (+1) where it is least audible: the
 * frame whose neighbours differ least, so the seam falls where the waveform is flattest.
 */
export function adjustByOneFrame(pcm: Uint8Array, frameBytes: number, sampleBytes: number, change: -1 | 1): Uint8Array {
  const frames = pcm.byteLength / frameBytes
  if (frames < 3)
    return change === 1 ? concat(pcm, pcm.subarray(pcm.byteLength - frameBytes)) : pcm.subarray(0, pcm.byteLength - frameBytes)
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength)
  const channels = frameBytes / sampleBytes
  let best = 1
  let bestDiff = Infinity
  for (let f = 1; f < frames - 1; f++) {
    let diff = 0
    for (let c = 0; c < channels; c++) {
      const at = f * frameBytes + c * sampleBytes
      diff += Math.abs(sampleAt(view, at, sampleBytes) - sampleAt(view, at - frameBytes, sampleBytes))
    }
    if (diff < bestDiff) {
      bestDiff = diff
      best = f
    }
  }
  const cut = best * frameBytes
  if (change === -1) return concat(pcm.subarray(0, cut), pcm.subarray(cut + frameBytes))
  return concat(pcm.subarray(0, cut + frameBytes), pcm.subarray(cut))
}

/** A sample's magnitude for comparing neighbours (the format's exact value does not matter here). */
function sampleAt(view: DataView, at: number, sampleBytes: number): number {
  if (sampleBytes === 2) return readS16(view, at)
  if (sampleBytes === 4) return view.getFloat32(at, true) * 32768
  return readS24(view, at) >> 8 // on the s16 scale, as the other two
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}
