// The receiving end of one MIDI stream, the same on server and rig: route, then deliver at
// once or (with --midi-jitter) at the message's show time plus a fixed delay, track what is
// held, and release it when the stream breaks, ends or moves.

import type { Clock } from '../clock.js'
import type { MidiOutput } from './endpoint.js'
import { NoteState } from './note-state.js'
import type { ReceivedMidi } from './receiver.js'
import type { CompiledRoute } from './route.js'
import type { ShowClockMap } from './show-clock.js'

export interface MidiDeliveryOptions {
  outputs: readonly MidiOutput[]
  route: CompiledRoute
  clock: Clock
  /** Deliver each message this long after its show time (ms); undefined: at once. */
  jitterMs?: number
  /** Needed with jitterMs: when a show position happens here. */
  showClock?: ShowClockMap
}

interface Queued {
  data: Uint8Array
  position: number
  atMs: number
}

export class MidiDelivery {
  private readonly held = new NoteState()
  private queue: Queued[] = []
  private timer: unknown
  private lastAtMs = -Infinity
  messagesOut = 0
  /** Note-offs and sustain-offs sent to release what a broken or ended stream left held. */
  released = 0

  constructor(private readonly o: MidiDeliveryOptions) {}

  deliver(messages: readonly ReceivedMidi[]): void {
    for (const m of messages) {
      const data = this.o.route.apply(m.data)
      if (data === null) continue
      if (this.o.jitterMs === undefined) {
        this.out(data, m.position)
        continue
      }
      const due = this.o.showClock?.localTimeOf(m.position)
      // Never before an earlier message: order is part of the performance (note-off after note-on).
      const atMs = Math.max(this.lastAtMs, due === undefined ? this.o.clock.now() : due + this.o.jitterMs)
      this.lastAtMs = atMs
      this.queue.push({ data, position: m.position, atMs })
    }
    if (this.queue.length > 0) this.pump()
  }

  /** Sends everything still scheduled now, then releases every held note and pedal. */
  releaseAll(): void {
    this.flushQueue()
    for (const data of this.held.release()) {
      this.send(data, 0)
      this.released++
    }
  }

  /** Sends raw messages straight out (the operator's panic), tracked like the rest. */
  sendNow(messages: readonly Uint8Array[]): void {
    this.flushQueue()
    for (const data of messages) this.out(data, 0)
  }

  get heldNotes(): number {
    return this.held.heldNotes
  }

  private pump(): void {
    const now = this.o.clock.now()
    let i = 0
    while (i < this.queue.length && this.queue[i]!.atMs <= now) {
      const q = this.queue[i++]!
      this.out(q.data, q.position)
    }
    if (i > 0) this.queue = this.queue.slice(i)
    if (this.timer !== undefined) {
      this.o.clock.clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.queue.length > 0)
      this.timer = this.o.clock.setTimeout(
        () => {
          this.timer = undefined
          this.pump()
        },
        Math.max(0, this.queue[0]!.atMs - now),
      )
  }

  private flushQueue(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer)
    this.timer = undefined
    const q = this.queue
    this.queue = []
    for (const m of q) this.out(m.data, m.position)
  }

  private out(data: Uint8Array, position: number): void {
    this.held.track(data)
    this.send(data, position)
  }

  private send(data: Uint8Array, position: number): void {
    this.messagesOut++
    for (const o of this.o.outputs) o.send(data, position)
  }
}
