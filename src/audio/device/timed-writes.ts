// What a device host does with the chunks a rig sends ahead (issue 13, "short stalls are not
// holes"): the rig hands each chunk over as soon as the show's latency allows, with the time
// it should go to PortAudio (a little before the card needs it, device-sink.ts), and the
// host, which does nothing else, writes it then. So a stall of the rig's event loop shorter
// than what it handed over early never reaches the card: the frames are already here. Chunks
// keep their order; one without a time goes as soon as those before it have gone.
// Scheduled on an injected Clock: a test steps through it with a ManualClock.

import type { Clock } from '../../clock.js'

interface Pending {
  pcm: Uint8Array
  /** Not before this, on the writer's clock; undefined: as soon as its turn comes. */
  atMs: number | undefined
}

export class TimedWrites {
  private readonly pending: Pending[] = []
  private timer: unknown
  private idle: Array<() => void> = []

  constructor(
    private readonly clock: Clock,
    /** Writes one chunk to the card (PortAudio's queue), in order. */
    private readonly write: (pcm: Uint8Array) => void,
  ) {}

  /** Chunks waiting for their time. */
  get waiting(): number {
    return this.pending.length
  }

  push(pcm: Uint8Array, atMs?: number): void {
    this.pending.push({ pcm, atMs })
    this.run()
  }

  /** Calls `fn` once everything pushed so far has been written (at once if nothing waits). */
  whenWritten(fn: () => void): void {
    if (this.pending.length === 0) return fn()
    this.idle.push(fn)
  }

  private run(): void {
    if (this.timer !== undefined) return
    const now = this.clock.now()
    while (this.pending.length > 0) {
      const next = this.pending[0]!
      if (next.atMs !== undefined && next.atMs > now) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined
          this.run()
        }, next.atMs - now)
        return
      }
      this.pending.shift()
      this.write(next.pcm)
    }
    const idle = this.idle
    this.idle = []
    for (const fn of idle) fn()
  }
}
