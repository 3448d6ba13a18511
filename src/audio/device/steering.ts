// Steers a sound card to the show clock: fed how late each chunk's first frame left the
// card (card-position.ts), it says when to drop or repeat a single frame (soft sync) and
// when to skip or pad at once (hard resync). Snapcast's client does the same job
// (client/stream.cpp, getPlayerChunk): a median of the last 20 and of the last 100
// measurements, soft sync once the short one passes 100 µs and the mini one agrees beyond
// 50 µs, a hard sync once the short one passes 5 ms, or the median of the last 500 passes
// 2 ms. The thresholds and window sizes are Snapcast's (the 500 as the time they span);
// two things differ because the measurement does:
// - Snapcast reads PortAudio's DAC time, which is as good on every callback. Here every
//   error source makes a measurement late, never early (card-position.ts), so the filter is
//   the floor of the window (its 5th percentile), not its median: a stall of the device
//   host, however long, cannot pull the floor up until it has lasted 95 measurements
//   (~250 ms at 128-frame chunks), while a card that really plays early is believed at once.
// - The floor's own uncertainty is measured: the distribution-free 95% interval of a
//   percentile from order statistics (rank np ± 2·√(np(1-p))). A correction waits until
//   the error passes 0.1 ms plus that, so jittery timing is not mistaken for drift.
// - A single frame needs a drift, measured, not only an error: the floor taken every 0.5 s
//   for 3-5 s, the median of its steps beyond twice the median's own uncertainty, and the
//   error on the side that drift pushes it. A stall that leaves the card a little late is
//   one step among ten, not a drift: it is left as it is (up to 2 ms; beyond, one hard
//   resync), rather than undone a frame at a time (issue 13: 84 single frames dropped, one
//   every 50.7 ms, on a card whose clock is the system clock, each one a seam). Snapcast
//   corrects any error past 100 µs; its DAC time has no such steps to tell apart.
// Corrections already made are remembered per chunk (the stamp it was written with), so a
// measurement of a chunk written before a correction is not counted twice.
// Pure: fed measurements and times; the sink does the audio.

/** Snapcast's kCorrectionBegin: soft sync starts beyond 100 µs. */
export const SOFT_SYNC_MS = 0.1
/** Snapcast: the mini median must agree beyond 50 µs. */
const MINI_AGREES_MS = 0.05
/** Snapcast's shortBuffer_ hard sync bound: beyond 5 ms, skip or pad at once. */
export const HARD_SYNC_MS = 5
/**
 * Snapcast's buffer_ bound: beyond 2 ms for its 500 measurements (1.3 s at 128-frame
 * chunks), skip or pad at once too. A card that stalls (JACK's dummy backend on a loaded
 * machine, measured: steps of 2-4 ms every few seconds) would otherwise stay that late for
 * the 5-10 s single frames take to catch up.
 */
const LONG_HARD_MS = 2
const LONG_HARD_FOR_MS = 1333
/** Snapcast's window sizes: miniBuffer_ 20, shortBuffer_ 100 measurements. */
const MINI = 20
const SHORT = 100
/** The floor is this percentile of the short window. */
const FLOOR_P = 0.05
/** One soft correction at most this often: up to 417 ppm at 48 kHz (Snapcast caps its rate change at 500 ppm; real cards are within ~100). */
export const MIN_GAP_MS = 50
/**
 * The drift is measured from the floor taken this often, over the last DRIFT_STEPS steps
 * (5 s), and believed from DRIFT_MIN_STEPS on (3 s: with six steps, the two a stall can
 * move still leave the median where the others are). A single frame waits that long after
 * the card starts or resyncs: a fast card must not first run PortAudio's queue dry (it holds
 * ~2.4 ms more than the card needs, measured on test/helpers/simulated-card.ts: 500 ppm
 * emptied it in 4.8 s).
 */
const DRIFT_EVERY_MS = 500
const DRIFT_STEPS = 10
const DRIFT_MIN_STEPS = 6
/** The median of the steps is believed beyond this many of its standard errors (~95%). */
const DRIFT_Z = 2
/**
 * And beyond this (ms per ms: 20 ppm, a good crystal's tolerance): a smaller drift is left to
 * the 2 ms bound, one hard resync every 100 s or more instead of a single frame every second
 * or so, each a seam. Measured: JACK's dummy backend on a busy machine falls behind by stalls
 * it does not make up, 2-6 ppm over a minute, which a 5 ppm floor followed with 7-9 frames.
 */
const MIN_DRIFT = 20e-6

/** Which corrections a chunk was written after: its measurement is read against them. */
export interface Stamp {
  /** Bumped by each hard resync: older measurements describe a stream that is gone. */
  readonly epoch: number
  /** Frames removed (+) or added (-) by corrections before the chunk's first frame. */
  readonly applied: number
}

/** frames > 0: the card is late, remove that many; < 0: early, add that many. */
export type Correction = { kind: 'none' } | { kind: 'soft'; frames: 1 | -1 } | { kind: 'hard'; frames: number }

export interface SteeringStats {
  /** The card's rate against the show clock, ppm (+: the card runs fast). 0 until measured over 5 s. */
  driftPpm: number
  framesInserted: number
  framesDropped: number
  /** Skips or pads at once past HARD_SYNC_MS (the first alignment at start is not counted). */
  hardResyncs: number
  /** The filtered error now (+: frames leave late), ms; null before enough measurements. */
  syncErrorMs: number | null
}

const NONE: Correction = { kind: 'none' }

export class CardSteering {
  private readonly frameMs: number
  private epoch = 0
  private applied = 0
  /** Measurements of this epoch, as they would be without any correction (error + applied · frame). */
  private readonly window: number[] = []
  private locked = false
  private direction: 0 | 1 | -1 = 0
  private lastSoftMs = -Infinity
  /** Since when the error has been beyond LONG_HARD_MS on one side (undefined: it is not). */
  private beyondSince: { sign: number; ms: number } | undefined
  /** The uncorrected floor every DRIFT_EVERY_MS of this epoch, the last DRIFT_STEPS + 1. */
  private floors: Array<{ ms: number; floorMs: number }> = []
  /** The card's drift against the show clock in ms per ms (+: frames leave later and later, the card is slow), once measured beyond its uncertainty. */
  private drift = 0
  readonly stats: SteeringStats = { driftPpm: 0, framesInserted: 0, framesDropped: 0, hardResyncs: 0, syncErrorMs: null }

  /** `rateHz`: the rate of the frames corrected (the show's). */
  constructor(rateHz: number) {
    this.frameMs = 1000 / rateHz
  }

  /** What a chunk written now is stamped with. */
  get stamp(): Stamp {
    return { epoch: this.epoch, applied: this.applied }
  }

  /** How late a chunk written with `stamp` left the card. */
  measure(errorMs: number, stamp: Stamp): void {
    if (stamp.epoch !== this.epoch) return
    this.window.push(errorMs + stamp.applied * this.frameMs)
    if (this.window.length > SHORT) this.window.shift()
  }

  /**
   * The sink skipped `frames` on its own (more would have queued than its bound allows: the
   * card stalled or the playout burst): later frames leave that much earlier. Like a hard
   * resync, it starts a new epoch: the window still holds measurements from before the
   * stall, which the skip would otherwise be read against (measured on JACK's dummy backend
   * on a loaded machine: a stall of 60 ms, the skip read against the floor from before it,
   * padded 36 ms the wrong way).
   */
  skipped(frames: number): void {
    this.applied += frames
    this.restart()
  }

  /** What to do to the chunk written next (the sink does exactly that, and stamps it afterwards). */
  decide(nowMs: number): Correction {
    const n = this.window.length
    if (n < MINI) return NONE
    const now = this.applied * this.frameMs
    const short = floorOf(this.window)
    const errorMs = short.floorMs - now
    const miniMs = Math.min(...this.window.slice(-MINI)) - now
    this.stats.syncErrorMs = Math.round(errorMs * 1000) / 1000
    this.trackDrift(short.floorMs, short.uncertaintyMs, nowMs)

    if (!this.locked) {
      // The first alignment after the card starts (the sink's silence before the first frame
      // counts on the card's reported latency): not a resync. On the same floor as what follows,
      // so the two agree and nothing is corrected back.
      if (n < SHORT) return NONE
      this.locked = true
      if (Math.abs(errorMs) <= SOFT_SYNC_MS + short.uncertaintyMs) return NONE
      return this.hard(Math.round(errorMs / this.frameMs), false)
    }
    const sameSide = Math.sign(errorMs) === Math.sign(miniMs)
    // A resync moves by the lower of the two: every error makes a measurement late, so the
    // lowest evidence is the most the frames can be late by. Late, it skips only frames that
    // would leave late; early, it pads no more than the card is early.
    const resyncFrames = Math.round(Math.min(errorMs, miniMs) / this.frameMs)
    if (Math.abs(errorMs) > HARD_SYNC_MS && Math.abs(miniMs) > HARD_SYNC_MS && sameSide) return this.hard(resyncFrames, true)
    if (Math.abs(errorMs) <= LONG_HARD_MS) this.beyondSince = undefined
    else if (this.beyondSince?.sign !== Math.sign(errorMs)) this.beyondSince = { sign: Math.sign(errorMs), ms: nowMs }
    // Late only: a card that stalled stays late for the seconds single frames take. Early by
    // 2-5 ms is what a settling clock estimate looks like in a rig's first seconds; a pad there
    // was a hole in the tone (e2e/devices, 2 runs in about 10), where single frames play on.
    else if (nowMs - this.beyondSince.ms >= LONG_HARD_FOR_MS && sameSide && errorMs > 0) return this.hard(resyncFrames, true)
    if (n < SHORT || nowMs - this.lastSoftMs < MIN_GAP_MS) return NONE

    const sign = Math.sign(errorMs) as 0 | 1 | -1
    // Only toward where a measured drift carries the card: without one, an error is a step (a stall), not something single frames should undo.
    if (Math.sign(this.drift) !== sign) {
      this.direction = 0
      return NONE
    }
    const agrees = Math.sign(miniMs) === sign && Math.abs(miniMs) > MINI_AGREES_MS
    // Start beyond the threshold and the floor's uncertainty; once started, go on to within a frame of zero.
    const start = Math.abs(errorMs) > SOFT_SYNC_MS + short.uncertaintyMs && agrees
    const goOn = this.direction === sign && sign !== 0 && Math.abs(errorMs) > this.frameMs && Math.sign(miniMs) === sign
    if (!start && !goOn) {
      this.direction = 0
      return NONE
    }
    this.direction = sign
    this.lastSoftMs = nowMs
    this.applied += sign
    if (sign > 0) this.stats.framesDropped++
    else this.stats.framesInserted++
    return { kind: 'soft', frames: sign as 1 | -1 }
  }

  private hard(frames: number, counted: boolean): Correction {
    if (Math.abs(frames * this.frameMs) <= SOFT_SYNC_MS) return NONE
    this.applied += frames
    this.restart()
    if (counted) this.stats.hardResyncs++
    return { kind: 'hard', frames }
  }

  /** What was measured describes a stream that is gone: start again from what comes. */
  private restart(): void {
    this.epoch++
    this.window.length = 0
    this.direction = 0
    this.beyondSince = undefined
    this.floors = []
    this.drift = 0
  }

  /**
   * The card's rate against the show, from the uncorrected floor every DRIFT_EVERY_MS: the
   * median of its last DRIFT_STEPS steps, robust to a step or two (a stall moves one step;
   * a least-squares line through it read -7,649 to -31,329 ppm, issue 13). Believed once it
   * exceeds DRIFT_Z standard errors of a median (1.2533 σ / √n, σ from the steps' MAD, at
   * least the floor's own uncertainty over a step).
   */
  private trackDrift(floorMs: number, uncertaintyMs: number, nowMs: number): void {
    const floors = this.floors
    const last = floors.at(-1)
    if (this.window.length < SHORT || (last && nowMs - last.ms < DRIFT_EVERY_MS)) return
    floors.push({ ms: nowMs, floorMs })
    if (floors.length > DRIFT_STEPS + 1) floors.shift()
    if (floors.length < DRIFT_MIN_STEPS + 1) return
    const steps = floors.slice(1).map((f, i) => (f.floorMs - floors[i]!.floorMs) / (f.ms - floors[i]!.ms))
    const median = medianOf(steps)
    // The steps' own spread, but never less than what the floor's uncertainty allows a step:
    // a floor that sits on the same few values (steps mostly 0) has a MAD of 0, and then any
    // odd step would pass for a drift (measured: 9 single frames in a minute on JACK's dummy backend).
    const sigma = Math.max(1.4826 * medianOf(steps.map((x) => Math.abs(x - median))), uncertaintyMs / DRIFT_EVERY_MS)
    const standardError = (1.2533 * sigma) / Math.sqrt(steps.length)
    this.drift = Math.abs(median) > Math.max(DRIFT_Z * standardError, MIN_DRIFT) ? median : 0
    // Frames leaving later and later: the card is slow.
    this.stats.driftPpm = Math.round(-median * 1e6 * 10) / 10
  }
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The window's floor (its FLOOR_P percentile) and half the 95% interval around it. */
export function floorOf(values: readonly number[]): { floorMs: number; uncertaintyMs: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const n = sorted.length
  const np = n * FLOOR_P
  const spread = 2 * Math.sqrt(np * (1 - FLOOR_P))
  const at = (rank: number) => sorted[Math.min(n, Math.max(1, rank)) - 1]!
  return {
    floorMs: at(Math.ceil(np)),
    uncertaintyMs: (at(Math.round(np + spread)) - at(Math.round(np - spread))) / 2,
  }
}
