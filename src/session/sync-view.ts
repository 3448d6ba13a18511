// A rig's sync state as the server shows it (issue 12 item 4, docs/SYNC.md "What the
// server shows"): the rig's own REPORT `sync`, plus how far it plays from the show, and
// the words the operator reads in `status` and the stats line. Pure: no clock, no I/O.

import { LIMITS } from '../codec/limits.js'
import type { SyncReport } from '../codec/messages.js'
import type { RigSyncView } from './stats.js'

/**
 * The latency the show plays at: `serve --latency`, or, from a show that sets none, the
 * default a rig then falls back to (src/sync/rig-sync.ts), so both sides count from the same number.
 */
export function showLatencyOf(configuredMs: number | undefined): number {
  return configuredMs ?? LIMITS.latencyMs.default
}

/** Rounds to 0.01 ms: the report's figures are rounded so, and a float sum must not read 4.999999. */
const centi = (ms: number): number => Math.round(ms * 100) / 100

/** The server's view of a rig's REPORT `sync`; null from a rig that has not said (none yet, or an older rig). */
export function syncView(report: SyncReport | null | undefined, showLatencyMs: number): RigSyncView | null {
  if (!report) return null
  return { ...report, outOfStepMs: centi(report.latencyMs - showLatencyMs + report.offsetMs) }
}

/** In time and in step: nothing for the operator to look at. */
export function keepsShowTime(v: RigSyncView | null): boolean {
  return v !== null && v.state === 'in-time' && v.outOfStepMs === 0
}

/** A figure in ms as the operator reads it: one decimal, none when whole (3, 3.2), two under 1 ms (0.04: not "late by 0"). */
export function msText(ms: number): string {
  const per = Math.abs(ms) < 1 ? 100 : 10
  return String(Math.round(ms * per) / per)
}

/** Signed, so "later" and "earlier" read apart: +5, -2.5, 0. */
export function signedMsText(ms: number): string {
  const t = msText(ms)
  return ms > 0 ? `+${t}` : t
}

/**
 * Why a rig plays apart from the show: its own latency, its offset, or both. Read from the
 * view alone: its latency differs from the show's by exactly outOfStepMs − offsetMs.
 */
export function outOfStepCause(v: RigSyncView): string {
  const causes: string[] = []
  if (centi(v.outOfStepMs - v.offsetMs) !== 0) causes.push(`own latency ${msText(v.latencyMs)} ms`)
  if (v.offsetMs !== 0) causes.push(`offset ${signedMsText(v.offsetMs)} ms`)
  return causes.join(', ')
}

/**
 * One rig's sync state in words (`status`, the stats line): "in time", "late by 3.2 ms",
 * "no clock yet", "out of step by +5 ms (own latency 25 ms)".
 */
export function describeSync(v: RigSyncView | null): string {
  if (v === null) return 'no sync report yet'
  if (v.state === 'no-clock') return 'no clock yet'
  const step = v.outOfStepMs === 0 ? '' : `out of step by ${signedMsText(v.outOfStepMs)} ms (${outOfStepCause(v)})`
  if (v.state === 'late') return `late by ${msText(v.lateMs)} ms` + (step ? `, ${step}` : '')
  return step || 'in time'
}
