// A playout's figures in a shared Float64Array, written by the playout thread and read by the
// rig's main thread whenever it reports: no messages, no allocation per write.

import type { Lateness } from '../jitter/lateness.js'
import { emptyPlayoutStats, type PlayoutStats } from './playout.js'

/** The playout's figures in their order in the array: PlayoutStats' own fields, read off its empty value. */
const FIELDS = Object.keys(emptyPlayoutStats()) as ReadonlyArray<keyof PlayoutStats>

const ON_SHOW_CLOCK = FIELDS.length
const LATE_SHARE = FIELDS.length + 1
const LATE_WORST = FIELDS.length + 2
/** Set once the playout has played out (drained) or stopped. */
export const FINISHED = FIELDS.length + 3
export const PLAYOUT_STATS_SLOTS = FIELDS.length + 4

export interface PlayoutFigures {
  readonly stats: PlayoutStats
  readonly onShowClock: boolean
  latenessNow(): Lateness
}

export function writePlayoutStats(into: Float64Array, p: PlayoutFigures, finished = false): void {
  const s = p.stats
  for (let i = 0; i < FIELDS.length; i++) into[i] = s[FIELDS[i]!]
  into[ON_SHOW_CLOCK] = p.onShowClock ? 1 : 0
  const l = p.latenessNow()
  into[LATE_SHARE] = l.share
  into[LATE_WORST] = l.worstMs
  into[FINISHED] = finished ? 1 : 0
}

export function readPlayoutStats(from: Float64Array): { stats: PlayoutStats; onShowClock: boolean; lateness: Lateness; finished: boolean } {
  const stats = emptyPlayoutStats()
  for (let i = 0; i < FIELDS.length; i++) stats[FIELDS[i]!] = from[i] ?? 0
  return {
    stats,
    onShowClock: from[ON_SHOW_CLOCK] === 1,
    lateness: { share: from[LATE_SHARE] ?? 0, worstMs: from[LATE_WORST] ?? 0 },
    finished: from[FINISHED] === 1,
  }
}
