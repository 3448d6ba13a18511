// The rig's estimate of the server's clock, from NTP's four timestamps per exchange
// (RFC 5905 §8). Pure: fed samples, asked for times; no I/O, no clock of its own.
//
// Each exchange gives an offset θ = ((t2 − t1) + (t3 − t4)) / 2 (server − local, at the
// exchange's local midpoint) and a round trip δ = (t4 − t1) − (t3 − t2). Whatever the
// path's asymmetry, the true offset lies within θ ± δ/2, so short round trips are the
// good samples. As NTP's clock filter keeps the lowest-delay stage of eight and Snapcast
// keeps the median of its recent exchanges, the estimate keeps the quarter of the last
// 64 exchanges with the lowest round trip, spread over the window (a stall of 20–50 ms
// never gets in), fits a line
// (least squares of offset against local time) through them, so a drift between the two
// machines' clocks is followed as a rate rather than in steps, and publishes a mapping
// local → server time that never goes backwards: it slews toward the fit at most 500 ppm
// and steps only beyond STEP_MS (counted). errorMs is what the published mapping may be
// off by, derived from the samples' own bounds.

/** One exchange: t1 and t4 on the rig's clock, t2 and t3 on the server's, ms. */
export interface TimeSample {
  t1: number
  t2: number
  t3: number
  t4: number
}

/** What the rig reports as `stats.clock`. */
export interface ClockEstimate {
  /** Server time minus local time now, as the published mapping has it, ms. */
  offsetMs: number
  /** The lowest round trip among the recent exchanges, ms. */
  rttMs: number
  /** The server's clock rate against the rig's, ppm (positive: the server's runs fast). */
  driftPpm: number
  /** How far the published server time may be from the server's real clock, ms. */
  errorMs: number
  /** Exchanges completed (fed to the estimate) since the session began. */
  samples: number
  /** Times the mapping stepped (jumped forward, or held still) instead of slewing. */
  steps: number
}

/** ~1 min of exchanges at the steady 1 s rate: the span the rate is fitted over. */
export const WINDOW_SAMPLES = 64
/**
 * Which samples the line goes through: those whose round trip is within the window's lowest
 * quarter, or within twice the best plus GATE_FLOOR_MS, whichever lets in more. NTP keeps the
 * best 1 of 8 for an offset; a line needs more, spread over the window so it has a span to
 * fit a rate to. A stall (20-50 ms on a path of a millisecond) is far outside either.
 */
const KEEP_QUANTILE = 0.25
/** Event-loop and timer granularity on a quiet machine: round trips within this of each other are alike. */
const GATE_FLOOR_MS = 0.1
/** Below this span of kept samples a fitted rate is noise (0.05 ms of jitter over 0.4 s is 125 ppm): use none. */
export const MIN_RATE_SPAN_MS = 2000
/** A fitted slope is used as the rate only beyond this many of its standard errors from zero. */
const RATE_SIGNIFICANCE = 3
/** A quartz clock is within ±100 ppm; a fit beyond ±500 ppm is wrong, and the bound assumes no more. */
export const MAX_DRIFT_PPM = 500
/** NTP's (and adjtime's) largest slew: 0.5 ms per second, 24 frames a second at 48 kHz. */
export const SLEW_PPM = 500
/** Beyond this the mapping steps: at 500 ppm, 4 ms would take 8 s of audibly wrong time to slew. */
export const STEP_MS = 4
/** The connect burst's exchanges settle the estimate; their corrections are immediate and not counted as steps. */
export const SETTLE_SAMPLES = 8
/** Slack beyond a sample's own bound before it disagrees with the estimate (timer and processing granularity). */
const AGREE_TOLERANCE_MS = 0.5
/** Consecutive samples, agreeing among themselves and not with the estimate, that mean the server's clock moved. */
const STEP_CONFIRM = 3

interface Point {
  /** Local time of the exchange's midpoint, ms. */
  x: number
  /** Offset θ, server − local, ms. */
  y: number
  /** Round trip δ, ms (never negative). */
  delay: number
}

interface Fit {
  kept: Point[]
  xBar: number
  yBar: number
  sxx: number
  /** Fitted rate (server ms per local ms, minus 1); 0 while the span is too short. */
  rate: number
  /** The least-squares rate before it was capped at ±MAX_DRIFT_PPM. */
  rawRate: number
  rateFitted: boolean
  /** While no rate is used: how large a drift may be, as a rate (the cap, or what the samples allow). */
  driftDoubt: number
  residualMs: number
}

/** The published mapping: from (l0, s0), rate 1 + rate + slew until `until`, then 1 + rate. */
interface Segment {
  l0: number
  s0: number
  rate: number
  slew: number
  until: number
}

export class ClockEstimator {
  private window: Point[] = []
  private suspects: Point[] = []
  private fit: Fit | undefined
  private seg: Segment | undefined
  private count = 0
  private stepCount = 0

  /** Feeds one exchange; the mapping moves at its t4 (the rig's clock when the reply came). */
  add(s: TimeSample): void {
    const delay = Math.max(0, s.t4 - s.t1 - (s.t3 - s.t2))
    const p: Point = { x: (s.t1 + s.t4) / 2, y: (s.t2 - s.t1 + (s.t3 - s.t4)) / 2, delay }
    this.count++
    const now = Math.max(s.t4, this.seg?.l0 ?? s.t4)
    if (this.fit && !this.agreesWithFit(p)) {
      // Either a wrong sample or the server's clock moved: only a run of them that agree among themselves is believed.
      if (this.suspects.length > 0 && !agree(this.suspects[0]!, p)) this.suspects.length = 0
      this.suspects.push(p)
      if (this.suspects.length < STEP_CONFIRM) return
      this.window = this.suspects
      this.suspects = []
    } else {
      this.suspects.length = 0
      this.window.push(p)
      if (this.window.length > WINDOW_SAMPLES) this.window.shift()
    }
    this.fit = fitLine(this.window)
    this.publish(now)
  }

  /** Server time at local time `localMs` (at or after the last sample), as the mapping publishes it. Never decreases. */
  toServer(localMs: number): number {
    const g = this.seg
    if (!g) return Number.NaN
    if (localMs <= g.until) return g.s0 + (localMs - g.l0) * (1 + g.rate + g.slew)
    return g.s0 + (g.until - g.l0) * (1 + g.rate + g.slew) + (localMs - g.until) * (1 + g.rate)
  }

  /** The earliest local time at which the mapping reads `serverMs`. */
  toLocal(serverMs: number): number {
    const g = this.seg
    if (!g) return Number.NaN
    if (serverMs <= g.s0) return g.l0 + (serverMs - g.s0) / (1 + g.rate)
    const sUntil = this.toServer(g.until)
    // Past s0 and before sUntil the first piece rises (a hold has sUntil = s0), so its rate is positive.
    if (serverMs < sUntil) return g.l0 + (serverMs - g.s0) / (1 + g.rate + g.slew)
    return g.until + (serverMs - sUntil) / (1 + g.rate)
  }

  /** The estimate at local time `nowMs`, or null before the first exchange. */
  estimate(nowMs: number): ClockEstimate | null {
    const f = this.fit
    if (!f || !this.seg) return null
    const published = this.toServer(nowMs)
    let rttMs = Number.POSITIVE_INFINITY
    for (const p of this.window) rttMs = Math.min(rttMs, p.delay)
    return {
      offsetMs: published - nowMs,
      rttMs,
      driftPpm: f.rate * 1e6,
      errorMs: fitErrorAt(f, nowMs) + Math.abs(published - fitServerAt(f, nowMs)),
      samples: this.count,
      steps: this.stepCount,
    }
  }

  /** A sample agrees when its bound and the fit's overlap, give or take the tolerance. */
  private agreesWithFit(p: Point): boolean {
    const f = this.fit!
    return Math.abs(p.y - fitOffsetAt(f, p.x)) <= p.delay / 2 + fitErrorAt(f, p.x) + AGREE_TOLERANCE_MS
  }

  /** Moves the published mapping toward the fit at local time `now`, never backwards. */
  private publish(now: number): void {
    const f = this.fit!
    const target = fitServerAt(f, now)
    if (!this.seg) {
      this.seg = { l0: now, s0: target, rate: f.rate, slew: 0, until: now }
      return
    }
    const s0 = this.toServer(now)
    const e = target - s0
    const settling = this.count <= SETTLE_SAMPLES
    if (settling || Math.abs(e) > STEP_MS) {
      if (!settling && e !== 0) this.stepCount++
      // Forward: jump. Back: stand still until the fit has caught up (server time never goes backwards).
      this.seg =
        e >= 0
          ? { l0: now, s0: target, rate: f.rate, slew: 0, until: now }
          : { l0: now, s0, rate: f.rate, slew: -(1 + f.rate), until: now + -e / (1 + f.rate) }
      return
    }
    const slew = Math.sign(e) * SLEW_PPM * 1e-6
    this.seg = { l0: now, s0, rate: f.rate, slew, until: now + (slew === 0 ? 0 : Math.abs(e) / Math.abs(slew)) }
  }
}

/** Two suspect samples agree when their bounds overlap, allowing the most drift there can be between them. */
function agree(a: Point, b: Point): boolean {
  const driftMs = MAX_DRIFT_PPM * 1e-6 * Math.abs(b.x - a.x)
  return Math.abs(b.y - a.y) <= (a.delay + b.delay) / 2 + AGREE_TOLERANCE_MS + driftMs
}

/** The samples within the delay gate (see KEEP_QUANTILE), in time order. */
function lowestDelays(window: readonly Point[]): Point[] {
  const delays = window.map((p) => p.delay).sort((a, b) => a - b)
  const best = delays[0]!
  const quantile = delays[Math.floor((delays.length - 1) * KEEP_QUANTILE)]!
  const gate = Math.max(quantile, 2 * best + GATE_FLOOR_MS)
  return window.filter((p) => p.delay <= gate)
}

/** Least squares through the kept samples. */
function fitLine(window: readonly Point[]): Fit {
  const kept = lowestDelays(window)
  let xBar = 0
  let yBar = 0
  let xMin = Number.POSITIVE_INFINITY
  let xMax = Number.NEGATIVE_INFINITY
  for (const p of kept) {
    xBar += p.x
    yBar += p.y
    xMin = Math.min(xMin, p.x)
    xMax = Math.max(xMax, p.x)
  }
  xBar /= kept.length
  yBar /= kept.length
  let sxx = 0
  let sxy = 0
  for (const p of kept) {
    sxx += (p.x - xBar) ** 2
    sxy += (p.x - xBar) * (p.y - yBar)
  }
  const spanned = xMax - xMin >= MIN_RATE_SPAN_MS && sxx > 0
  const maxRate = MAX_DRIFT_PPM * 1e-6
  const slope = spanned ? sxy / sxx : 0
  // A slope within RATE_SIGNIFICANCE standard errors of zero is the path's jitter, not drift
  // (a rig behind 6 +- 1 ms of relay fitted -186 to +71 ppm within seconds on one machine,
  // measured): the line stays flat, and the bound counts what such a drift could be.
  let ssSlope = 0
  for (const p of kept) ssSlope += (p.y - (yBar + slope * (p.x - xBar))) ** 2
  const slopeSe = kept.length > 2 && sxx > 0 ? Math.sqrt(ssSlope / (kept.length - 2) / sxx) : Number.POSITIVE_INFINITY
  const rateFitted = spanned && Math.abs(slope) > RATE_SIGNIFICANCE * slopeSe
  const rawRate = rateFitted ? slope : 0
  const rate = Math.min(maxRate, Math.max(-maxRate, rawRate))
  /** An unfitted drift is within this (per ms): the cap before the samples span enough, what the data allow after. */
  const driftDoubt = spanned ? Math.min(maxRate, Math.abs(slope) + RATE_SIGNIFICANCE * slopeSe) : maxRate
  let ss = 0
  for (const p of kept) ss += (p.y - (yBar + rate * (p.x - xBar))) ** 2
  return { kept, xBar, yBar, sxx, rate, rawRate, rateFitted, driftDoubt, residualMs: Math.sqrt(ss / kept.length) }
}

function fitOffsetAt(f: Fit, x: number): number {
  return f.yBar + f.rate * (x - f.xBar)
}

function fitServerAt(f: Fit, x: number): number {
  return x + fitOffsetAt(f, x)
}

/**
 * What the fit at local time x may be off by. The fit is a weighted sum of the kept offsets,
 * Σ wᵢ(x)·θᵢ, and each θᵢ is within δᵢ/2 of the truth, so Σ |wᵢ(x)|·δᵢ/2 bounds it whatever
 * the asymmetry; plus the residual (a clock that is not quite linear); while no rate is
 * fitted, the most a drift can have moved the offset since the samples' mean time; and where
 * the fitted rate was capped, how far the capped line is from the fitted one.
 */
function fitErrorAt(f: Fit, x: number): number {
  const n = f.kept.length
  let bound = 0
  for (const p of f.kept) {
    const w = 1 / n + (f.rateFitted ? ((p.x - f.xBar) * (x - f.xBar)) / f.sxx : 0)
    bound += (Math.abs(w) * p.delay) / 2
  }
  // δ is read on the rig's clock; on the server's the same asymmetry can be longer by the drift.
  bound *= 1 + MAX_DRIFT_PPM * 1e-6
  const away = Math.abs(x - f.xBar)
  const unfittedDrift = f.rateFitted ? 0 : f.driftDoubt * away
  const capped = Math.abs(f.rawRate - f.rate) * away
  return bound + f.residualMs + unfittedDrift + capped + ARITHMETIC_MS
}

/** float64 milliseconds of a monotonic clock resolve far below this (2e-9 ms at 1e7 ms): what rounding may add. */
const ARITHMETIC_MS = 1e-6
