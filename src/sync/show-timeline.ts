// The server's show timeline: where each show position sits on the server's clock, as an
// RTCP sender report maps RTP time to wall time (RFC 3550 §6.4.1). Fed the moment each
// packet of the source is ready (read from a pipe or card, or due from the pacer):
//
//   offset = readyMs - position / rate
//
// A packet is ready no earlier than its audio exists, and a stalled event loop only makes
// it look later, so the timeline is the lower envelope of those offsets: the smallest of
// the current and the previous one-second window. That follows a source clock running fast
// at once and one running slow within two windows, and ignores stalls (3-8 ms per window
// and a 22 ms GC pause on this machine's server, issue 12). The windows' minima give the
// source's drift against the server clock by least squares, which rigs use between updates.
// A source that stops and comes back later (a pipe whose writer paused) has every packet
// late against the envelope: once all of SLIP_WINDOW_MS are more than SLIP_MS late the
// timeline re-anchors there (a step, counted) instead of leaving rigs to conceal it all.
// How late packets typically are against the envelope (the median of the last window) is
// the server's own read lag: MIDI read by the same event loop is as late, and is stamped
// that much earlier (src/session/show-position.ts).
// Pure: nothing here reads a clock.

import { MAX_TIMELINE_DRIFT_PPM, type Timeline } from '../codec/messages.js'

/**
 * The server time (ms) a timeline puts show position `position` (32-bit) at: a signed 32-bit
 * difference from its anchor, so it is right within 2^31 frames (12 h at 48 kHz) across the wrap.
 */
export function serverMsOf(t: Timeline, position: number, rateHz: number): number {
  const frames = (position - t.position) | 0
  return t.serverMs + ((frames * 1000) / rateHz) * (1 + t.driftPpm / 1e6)
}

/** One window of the envelope. */
export const TIMELINE_WINDOW_MS = 1000
/** Windows whose minima fit the drift: 16 s. */
const FIT_WINDOWS = 16
/** Packets this long, all later than this much: the source slipped, re-anchor. */
export const SLIP_WINDOW_MS = 100
export const SLIP_MS = 5
/** A move of the published mapping smaller than this is not worth a TIMELINE (a rig's soft sync starts at 0.1 ms). */
export const REPUBLISH_MOVE_MS = 0.02
/** TIMELINE at least this often while the source runs (a rig joining or a lost datagram waits no longer). */
export const REPUBLISH_EVERY_MS = 1000
/** And at most this often, apart from the first and a step. */
export const REPUBLISH_MIN_GAP_MS = 50
/**
 * Packets of one window whose lateness the median is taken of: a second of 64-frame packets
 * at 96 kHz is 1,500; past this many, the rest of the window is left out of the median.
 */
const LAG_SAMPLES = 2048

export class ShowTimeline {
  private windowStartMs: number | undefined
  private windowMin = Number.POSITIVE_INFINITY
  private windowMinAtMs = 0
  private previousMin = Number.POSITIVE_INFINITY
  private previousMinAtMs = 0
  /** Minima of completed windows, for the drift fit: [midpoint ms, offset ms]. */
  private readonly minima: Array<[number, number]> = []
  private slipStartMs: number | undefined
  private slipStartPos = 0
  private slipMin = Number.POSITIVE_INFINITY
  private published: Timeline | undefined
  private publishedAtMs = Number.NEGATIVE_INFINITY
  private driftPpm = 0
  /** This window's packets' lateness against the envelope, ms (allocated once). */
  private readonly lags = new Float64Array(LAG_SAMPLES)
  private lagCount = 0
  /** The median of the last complete window's, ms. */
  private typicalLag = 0
  /** Times the source slipped and the timeline re-anchored. */
  steps = 0

  constructor(private readonly rateHz: number) {}

  /**
   * The packet starting at show position `position` (unwrapped frames) was ready at
   * `readyMs`. Returns the timeline to publish now, or undefined if the one out there holds.
   */
  observe(position: number, readyMs: number): Timeline | undefined {
    const offset = readyMs - (position * 1000) / this.rateHz
    let stepped = false
    if (this.windowStartMs === undefined) {
      this.windowStartMs = readyMs
      this.slipStartMs = readyMs
      this.slipStartPos = position
      stepped = true
    } else if (readyMs - this.windowStartMs >= TIMELINE_WINDOW_MS) {
      this.rotate(readyMs)
    }
    if (offset < this.windowMin) {
      this.windowMin = offset
      this.windowMinAtMs = readyMs
    }
    stepped = this.checkSlip(offset, position, readyMs) || stepped
    const envelope = this.envelopeAt(readyMs)
    if (this.lagCount < LAG_SAMPLES) this.lags[this.lagCount++] = offset - envelope
    const next: Timeline = {
      position: position >>> 0,
      serverMs: envelope + (position * 1000) / this.rateHz,
      driftPpm: this.driftPpm,
    }
    if (stepped || this.due(next, position, readyMs)) {
      this.published = next
      this.publishedAtMs = readyMs
      return next
    }
    return undefined
  }

  /**
   * How late the source's packets typically reach the server past the timeline, ms: the
   * median over the last complete window (0 before one). Measured on this machine with a
   * steadily paced pipe source (bench/midi-align.mjs): 0.6-0.7 ms, p10 0.1-0.2, p90 1.1-1.3.
   */
  get typicalLagMs(): number {
    return this.typicalLag
  }

  /** The timeline as last published, or null before the source delivered anything. */
  get current(): Timeline | null {
    return this.published ?? null
  }

  /** The source's clock against the server's, ppm (+: the source runs fast), as fitted. */
  get sourceDriftPpm(): number {
    return -this.driftPpm
  }

  private due(next: Timeline, position: number, nowMs: number): boolean {
    const last = this.published
    if (!last) return true
    if (nowMs - this.publishedAtMs >= REPUBLISH_EVERY_MS) return true
    if (nowMs - this.publishedAtMs < REPUBLISH_MIN_GAP_MS) return false
    // Where the timeline out there puts this position, against where it is now.
    return Math.abs(serverMsOf(last, position >>> 0, this.rateHz) - next.serverMs) > REPUBLISH_MOVE_MS
  }

  private rotate(nowMs: number): void {
    const start = this.windowStartMs ?? nowMs
    if (this.windowMin !== Number.POSITIVE_INFINITY) {
      this.minima.push([(start + nowMs) / 2, this.windowMin])
      if (this.minima.length > FIT_WINDOWS) this.minima.shift()
      this.driftPpm = fitDriftPpm(this.minima)
    }
    if (this.lagCount > 0) {
      const sorted = this.lags.subarray(0, this.lagCount).sort()
      this.typicalLag = sorted[this.lagCount >> 1]!
      this.lagCount = 0
    }
    this.previousMin = this.windowMin
    this.previousMinAtMs = this.windowMinAtMs
    this.windowMin = Number.POSITIVE_INFINITY
    this.windowStartMs = nowMs
  }

  /** The lower envelope at `nowMs`: each window's minimum carried forward along the fitted drift. */
  private envelopeAt(nowMs: number): number {
    const slope = this.driftPpm / 1e6
    const current = this.windowMin + slope * (nowMs - this.windowMinAtMs)
    const previous = this.previousMin + slope * (nowMs - this.previousMinAtMs)
    return Math.min(current, previous)
  }

  /**
   * True when the source has slipped: every packet of the last SLIP_WINDOW_MS (of audio, and
   * of time: one packet after a long server stall is not a slip, the burst behind it catches up)
   * more than SLIP_MS behind the envelope.
   */
  private checkSlip(offset: number, position: number, nowMs: number): boolean {
    if (offset < this.slipMin) this.slipMin = offset
    if (this.slipStartMs === undefined || nowMs - this.slipStartMs < SLIP_WINDOW_MS) return false
    if (((position - this.slipStartPos) * 1000) / this.rateHz < SLIP_WINDOW_MS) return false
    const slipped = this.slipMin - this.envelopeAt(nowMs) > SLIP_MS
    if (slipped) {
      // Start over from the slipped level: the windows and the fit were about the old one.
      this.windowMin = this.slipMin
      this.windowMinAtMs = nowMs
      this.previousMin = Number.POSITIVE_INFINITY
      this.minima.length = 0
      this.driftPpm = 0
      this.windowStartMs = nowMs
      this.steps++
    }
    this.slipStartMs = nowMs
    this.slipStartPos = position
    this.slipMin = Number.POSITIVE_INFINITY
    return slipped
  }
}

/** Least-squares slope of offset against time through the windows' minima, in ppm, within ±MAX_TIMELINE_DRIFT_PPM. */
function fitDriftPpm(points: ReadonlyArray<readonly [number, number]>): number {
  // Two points are a line through two noisy minima: wait for a few seconds of them.
  if (points.length < 4) return 0
  const [t0, o0] = points[0]!
  let n = 0
  let st = 0
  let so = 0
  let stt = 0
  let sto = 0
  for (const [t, o] of points) {
    const x = t - t0
    const y = o - o0
    n++
    st += x
    so += y
    stt += x * x
    sto += x * y
  }
  const den = n * stt - st * st
  if (den <= 0) return 0
  // Offsets grow when the source is slow: each frame takes (1 + slope) of its nominal time
  // on the server's clock, which is what Timeline.driftPpm carries.
  const slope = (n * sto - st * so) / den
  const ppm = slope * 1e6
  return Math.max(-MAX_TIMELINE_DRIFT_PPM, Math.min(MAX_TIMELINE_DRIFT_PPM, ppm))
}
