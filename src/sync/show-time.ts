// When a show position leaves this rig, on the rig's own clock: the server's timeline says
// where position P sits on the server's clock (like an RTCP sender report maps RTP time to
// wall time, RFC 3550 §6.4.1), the clock estimate turns server time into local time, and
// the show latency plus this rig's offset are added:
//   local(P) = toLocal(serverMs(P) + latencyMs) + offsetMs
// Nothing here reads a clock; the estimator and the timeline are fed by the runner.

import type { Timeline } from '../codec/messages.js'
import { serverMsOf } from './show-timeline.js'

/** The rig's estimate of the server's clock, as far as the show time needs it (src/sync/clock-estimator.ts). */
export interface ServerClock {
  /** Local ms -> server ms; undefined before the first time exchange. */
  toServer(localMs: number): number | undefined
  /** Server ms -> local ms; undefined before the first time exchange. */
  toLocal(serverMs: number): number | undefined
}

/** What MIDI delivery and the playout ask of the show time. */
export interface ShowTimeMap {
  /** The local time (ms) at which show position `position` (32-bit, wrapping) leaves this rig; undefined without a clock or timeline. */
  localTimeOf(position: number): number | undefined
  /** The show position (32-bit) leaving this rig at local time `localMs`; undefined without a clock or timeline. */
  positionAt(localMs: number): number | undefined
}

export interface ShowTimeOptions {
  rateHz: number
  clock: ServerClock
  /** The latency this rig plays at, ms (the show's, or its own --latency). */
  latencyMs: number
  /** --offset: plays this much later (+) or earlier (-), ms. */
  offsetMs: number
}

export class ShowTime implements ShowTimeMap {
  private timeline: Timeline | undefined
  latencyMs: number
  readonly offsetMs: number

  constructor(private readonly o: ShowTimeOptions) {
    this.latencyMs = o.latencyMs
    this.offsetMs = o.offsetMs
  }

  /** The server's latest timeline (INIT, TIMELINE). */
  setTimeline(t: Timeline): void {
    this.timeline = t
  }

  /** The server time (ms) of show position `position` (32-bit), by the timeline. */
  serverTimeOf(position: number): number | undefined {
    return this.timeline && serverMsOf(this.timeline, position, this.o.rateHz)
  }

  localTimeOf(position: number): number | undefined {
    const serverMs = this.serverTimeOf(position)
    if (serverMs === undefined) return undefined
    const local = this.o.clock.toLocal(serverMs + this.latencyMs)
    return local === undefined ? undefined : local + this.offsetMs
  }

  positionAt(localMs: number): number | undefined {
    const t = this.timeline
    if (!t) return undefined
    const serverMs = this.o.clock.toServer(localMs - this.offsetMs)
    if (serverMs === undefined) return undefined
    const frames = ((serverMs - this.latencyMs - t.serverMs) * this.o.rateHz) / 1000 / (1 + t.driftPpm / 1e6)
    return (t.position + Math.floor(frames)) >>> 0
  }
}
