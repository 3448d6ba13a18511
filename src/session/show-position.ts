// Where the show is now on the server's clock: INIT puts it at a position at a moment, and
// from then on it runs at the show's rate. MIDI from the server's inputs is stamped with it.

import type { Clock } from '../clock.js'
import { msToFrames } from '../codec/format.js'

export class ShowPosition {
  private startedAt: { ms: number; position: number } | undefined

  constructor(
    private readonly clock: Clock,
    private readonly rateHz: number,
  ) {}

  /** The show starts (INIT) at `position` (sample frames), now. */
  start(position: number): void {
    this.startedAt = { ms: this.clock.now(), position }
  }

  /** The show position now (sample frames since INIT, 32-bit wrapping), undefined before INIT. */
  now(): number | undefined {
    const at = this.startedAt
    if (!at) return undefined
    return (at.position + msToFrames(this.clock.now() - at.ms, this.rateHz)) >>> 0
  }
}
