// When the rig asks the server for the time, and which replies it believes. Pure: the rig
// machine keeps this state and calls these with its `now`; the runner's clock fires the timer.
//
// A burst of 8 exchanges 50 ms apart right after HELLO settles the estimate within 0.4 s,
// as Snapcast's client syncs several times at connect before playing: 8 samples let the
// clock filter keep its 4 best even if the connect's own work stalled a few, and 50 ms
// apart they see independent moments of the path (not one queue) while few are in flight
// even on a 20 ms path. Then one a second: enough to follow a 200 ppm drift (0.2 ms a
// second, which the fitted rate carries between exchanges) and to fill the estimator's
// 64-sample window in about a minute; cheap for 256 rigs: 256 requests and 256 replies of
// 44 bytes a second at the server, against 96,000 audio packets a second to the same rigs.

import type { TimeStamps } from '../codec/messages.js'
import type { TimeSample } from './clock-estimator.js'

export const BURST_EXCHANGES = 8
export const BURST_INTERVAL_MS = 50
export const STEADY_INTERVAL_MS = 1000
/** A reply this long after its request is worthless (its bound is ±5 s) and probably a stale copy: dropped. */
export const MAX_ROUND_TRIP_MS = 10_000

export interface TimeExchangeState {
  /** Requests sent this session (across transport switches). */
  readonly sent: number
  /** The newest request's t1, undefined before the first. */
  readonly lastSentT1: number | undefined
  /** The newest answered request's t1: a reply to it or an older one is a copy or overtaken, and dropped. */
  readonly lastAnsweredT1: number | undefined
}

export const initialTimeExchange: TimeExchangeState = { sent: 0, lastSentT1: undefined, lastAnsweredT1: undefined }

/** Milliseconds from the request just sent (the `sent`-th) to the next. */
export function nextExchangeInMs(sent: number): number {
  return sent < BURST_EXCHANGES ? BURST_INTERVAL_MS : STEADY_INTERVAL_MS
}

export function requestSent(s: TimeExchangeState, t1: number): TimeExchangeState {
  return { ...s, sent: s.sent + 1, lastSentT1: t1 }
}

/**
 * A reply's timestamps with t4 (the rig's clock on arrival): the sample to feed the
 * estimator, or undefined for a reply to no request of ours, a copy, or one overtaken by a
 * newer reply (UDP may duplicate and reorder; nothing is retransmitted, so none is owed).
 */
export function replyReceived(
  s: TimeExchangeState,
  t: TimeStamps,
  t4: number,
): { state: TimeExchangeState; sample: TimeSample | undefined } {
  const fresh =
    s.lastSentT1 !== undefined &&
    t.t1 <= s.lastSentT1 &&
    (s.lastAnsweredT1 === undefined || t.t1 > s.lastAnsweredT1) &&
    t4 >= t.t1 &&
    t4 - t.t1 <= MAX_ROUND_TRIP_MS
  if (!fresh) return { state: s, sample: undefined }
  return { state: { ...s, lastAnsweredT1: t.t1 }, sample: { t1: t.t1, t2: t.t2, t3: t.t3, t4 } }
}
