// Where the show is now on the server's clock: INIT puts it at a position at a moment, and
// from then on it runs at the show's rate. MIDI from the server's inputs is stamped with it.
// Given the show timeline (src/sync/show-timeline.ts: the server time of each position,
// taken at capture), the position now is read off the timeline instead, so a note is
// stamped with the audio captured at the same moment; INIT's count is the fallback until
// the source has delivered. A message is read by the same event loop as the audio, as late
// as the audio typically is against the timeline (ShowTimeline.typicalLagMs): it is stamped
// as of that much earlier, the moment it came in rather than the moment it was read.
// Measured (bench/midi-align.mjs): without that, every note played 0.42-0.51 ms after its
// sample on the rig.

import type { Clock } from '../clock.js'
import { msToFrames } from '../codec/format.js'

/** The server time (ms) at which show position `position` (32-bit) sits, or undefined while there is no timeline. */
export type ServerTimeOf = (position: number) => number | undefined

export class ShowPosition {
  private startedAt: { ms: number; position: number } | undefined

  constructor(
    private readonly clock: Clock,
    private readonly rateHz: number,
    private readonly serverTimeOf?: ServerTimeOf,
    /** How late what this server reads typically is, ms (0 if not given). */
    private readonly readLagMs: () => number = () => 0,
  ) {}

  /** The show starts (INIT) at `position` (sample frames), now. */
  start(position: number): void {
    this.startedAt = { ms: this.clock.now(), position }
  }

  /** The show position now (sample frames since INIT, 32-bit wrapping), undefined before INIT. */
  now(): number | undefined {
    const at = this.startedAt
    if (!at) return undefined
    const nowMs = this.clock.now()
    // The timeline is a line: its time at INIT's position and a second of frames later give it whole.
    const t0 = this.serverTimeOf?.(at.position)
    const t1 = this.serverTimeOf?.((at.position + this.rateHz) >>> 0)
    if (t0 !== undefined && t1 !== undefined && t1 > t0) {
      const cameInMs = nowMs - this.readLagMs()
      return (at.position + Math.round(((cameInMs - t0) * this.rateHz) / (t1 - t0))) >>> 0
    }
    return (at.position + msToFrames(nowMs - at.ms, this.rateHz)) >>> 0
  }
}
