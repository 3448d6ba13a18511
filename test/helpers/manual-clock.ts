// A clock tests drive by hand. advance() runs due timers in time order and lets
// promise callbacks (memory transports deliver on microtasks) settle between them.

import type { Clock } from '../../src/clock.js'

interface Timer {
  id: number
  at: number
  fn: () => void
}

export class ManualClock implements Clock {
  private t = 0
  private nextId = 1
  private timers: Timer[] = []

  now(): number {
    return this.t
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn }
    this.timers.push(timer)
    return timer.id
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle)
  }

  get pendingTimers(): number {
    return this.timers.length
  }

  /** Runs the timers due within ms. Time only goes forward: a negative step is a bug in the test. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`a manual clock only goes forward (advance(${ms}))`)
    const end = this.t + ms
    await settle()
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id)
      const next = this.timers[0]
      if (!next || next.at > end) break
      this.timers.shift()
      this.t = next.at
      next.fn()
      await settle()
    }
    this.t = end
    await settle()
  }
}

/** Lets queued microtasks and immediates run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
