// A rig's place on the show clock, for the operator: which latency it plays at (the show's
// from INIT, or its own --latency), its --offset, and how late audio arrives against its play
// time. "late" is a path slower than the latency, not one stall: more than LATE_SHARE of the
// packets of the last full window came after their time.

import type { SyncReport, SyncState } from '../codec/messages.js'
import { LIMITS } from '../codec/limits.js'
import type { RigSyncStats } from '../session/stats.js'

/** Lateness is judged over windows of this long. */
export const SYNC_WINDOW_MS = 1000
/** A window in which more than this share of packets came after their play time is a late path. */
export const LATE_SHARE = 0.05

export interface RigSyncOptions {
  /** `join --latency`, undefined: the show's. */
  latencyMs: number | undefined
  offsetMs: number
}

export class RigSync {
  showLatencyMs: number | null = null
  /** The schedule is on the show clock (a clock estimate and a timeline are in). */
  onShowClock = false
  private windowStartMs: number | undefined
  private windowPackets = 0
  private windowLate = 0
  private windowWorstMs = 0
  private lastShare = 0
  private lastWorstMs = 0

  constructor(private readonly o: RigSyncOptions) {}

  /** The latency this rig plays at: its own, the show's, or (from a server that sends none) the default. */
  get latencyMs(): number {
    return this.o.latencyMs ?? this.showLatencyMs ?? LIMITS.latencyMs.default
  }

  get offsetMs(): number {
    return this.o.offsetMs
  }

  /** One packet arrived `lateMs` after its play time (<= 0: in time) at `nowMs`. */
  arrived(nowMs: number, lateMs: number): void {
    this.rotate(nowMs)
    this.windowPackets++
    if (lateMs > 0) {
      this.windowLate++
      if (lateMs > this.windowWorstMs) this.windowWorstMs = lateMs
    }
  }

  stats(nowMs: number, clockErrorMs: number | undefined): RigSyncStats {
    this.rotate(nowMs)
    const state: SyncState = !this.onShowClock || clockErrorMs === undefined ? 'no-clock' : this.lastShare > LATE_SHARE ? 'late' : 'in-time'
    return {
      state,
      errorMs: state === 'no-clock' || clockErrorMs === undefined ? null : clockErrorMs,
      lateMs: Math.round(this.lastWorstMs * 100) / 100,
      latencyMs: this.latencyMs,
      offsetMs: this.offsetMs,
      showLatencyMs: this.showLatencyMs,
    }
  }

  private rotate(nowMs: number): void {
    if (this.windowStartMs === undefined) {
      this.windowStartMs = nowMs
      return
    }
    if (nowMs - this.windowStartMs < SYNC_WINDOW_MS) return
    // A window with no packets says nothing new about the path; two windows of silence clear it.
    const skipped = nowMs - this.windowStartMs >= 2 * SYNC_WINDOW_MS
    this.lastShare = this.windowPackets > 0 ? this.windowLate / this.windowPackets : skipped ? 0 : this.lastShare
    this.lastWorstMs = this.windowPackets > 0 ? this.windowWorstMs : skipped ? 0 : this.lastWorstMs
    this.windowStartMs = nowMs
    this.windowPackets = 0
    this.windowLate = 0
    this.windowWorstMs = 0
  }
}

/** The part of a rig's sync state it tells the server (REPORT). */
export function toSyncReport(s: RigSyncStats): SyncReport {
  return { state: s.state, errorMs: s.errorMs, lateMs: s.lateMs, latencyMs: s.latencyMs, offsetMs: s.offsetMs }
}
