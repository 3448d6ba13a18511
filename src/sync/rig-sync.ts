// A rig's place on the show clock, for the operator: which latency it plays at (the show's
// from INIT, or its own --latency), its --offset, and whether audio arrives in time for it.
// "late" is a path slower than the latency, not one stall: more than LATE_SHARE of the
// packets of the last full window came after their time (src/jitter/lateness.ts).

import type { SyncReport, SyncState } from '../codec/messages.js'
import { LIMITS } from '../codec/limits.js'
import type { Lateness } from '../jitter/lateness.js'
import type { RigSyncStats } from '../session/stats.js'

/** The largest lateness a REPORT carries (SyncReportSchema). */
const MAX_REPORTED_MS = 1e6

/** A window in which more than this share of packets came after their play time is a late path. */
export const LATE_SHARE = 0.05

export interface RigSyncOptions {
  /** `join --latency`, undefined: the show's. */
  latencyMs: number | undefined
  offsetMs: number
}

export class RigSync {
  showLatencyMs: number | null = null

  constructor(private readonly o: RigSyncOptions) {}

  /** The latency this rig plays at: its own, the show's, or (from a server that sends none) the default. */
  get latencyMs(): number {
    return this.o.latencyMs ?? this.showLatencyMs ?? LIMITS.latencyMs.default
  }

  get offsetMs(): number {
    return this.o.offsetMs
  }

  /**
   * `onShowClock`: the playout runs on the show schedule; `clockErrorMs`: the clock
   * estimate's bound (undefined without one); `lateness`: the playout's last window.
   */
  stats(onShowClock: boolean, clockErrorMs: number | undefined, lateness: Lateness): RigSyncStats {
    const clocked = onShowClock && clockErrorMs !== undefined
    const state: SyncState = !clocked ? 'no-clock' : lateness.share > LATE_SHARE ? 'late' : 'in-time'
    return {
      state,
      errorMs: clocked ? clockErrorMs : null,
      // Within what REPORT carries (1e6 ms): a rig that far behind is late, not a protocol error.
      lateMs: Math.min(MAX_REPORTED_MS, Math.round(lateness.worstMs * 100) / 100),
      latencyMs: this.latencyMs,
      offsetMs: this.offsetMs,
      showLatencyMs: this.showLatencyMs,
    }
  }
}

/** The part of a rig's sync state it tells the server (REPORT). */
export function toSyncReport(s: RigSyncStats): SyncReport {
  return { state: s.state, errorMs: s.errorMs, lateMs: s.lateMs, latencyMs: s.latencyMs, offsetMs: s.offsetMs }
}
