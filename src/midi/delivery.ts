// The receiving end of one MIDI stream, the same on server and rig: route, then deliver at
// the message's show time (a rig's default, `join --midi-timing show`) or at once
// (`immediate`), track what is held, and release it when the stream breaks, ends or moves.
// At show time, a message stamped with show position P leaves at showTime.localTimeOf(P):
// the same instant as the audio sample at P (src/sync/show-time.ts), never before an
// earlier message. When every output times messages itself (a pipe or device file, from a
// thread of its own: MidiOutput.scheduler), each message is handed to them with its time as
// it arrives; otherwise it waits here, on the main thread's DueTimer.

import type { Clock } from '../clock.js'
import type { ShowTimeMap } from '../sync/show-time.js'
import { DueTimer } from './due-timer.js'
import type { MidiOutput, MidiScheduler } from './endpoint.js'
import { NoteState } from './note-state.js'
import type { ReceivedMidi } from './receiver.js'
import type { CompiledRoute } from './route.js'

/** `join --midi-timing`: at the show time (aligned with the audio), or at once (the lowest latency, for forwarding controllers). */
export const MIDI_TIMINGS = ['show', 'immediate'] as const
export type MidiTiming = (typeof MIDI_TIMINGS)[number]

export interface MidiDeliveryOptions {
  outputs: readonly MidiOutput[]
  route: CompiledRoute
  clock: Clock
  /** When each message leaves. @default 'immediate' */
  timing?: MidiTiming
  /** With 'show': when show positions leave this side, asked for each message; undefined (no clock or timeline yet): at once. */
  showTime?: () => ShowTimeMap | undefined
}

interface Queued {
  data: Uint8Array
  position: number
  atMs: number
}

export class MidiDelivery {
  private readonly held = new NoteState()
  private queue: Queued[] = []
  private readonly timer: DueTimer
  private lastAtMs = -Infinity
  /** Who waits for the queue to empty (whenSent). */
  private waiters: Array<() => void> = []
  /** The outputs' own schedulers, once asked for (undefined: not yet; null: not every output has one). */
  private schedulers: MidiScheduler[] | null | undefined
  messagesOut = 0
  /** Messages whose show time had already passed when they arrived: sent at once. */
  late = 0
  /** Note-offs and sustain-offs sent to release what a broken or ended stream left held. */
  released = 0

  constructor(private readonly o: MidiDeliveryOptions) {
    this.timer = new DueTimer(o.clock)
  }

  deliver(messages: readonly ReceivedMidi[]): void {
    const map = this.o.timing === 'show' ? this.o.showTime?.() : undefined
    const now = this.o.clock.now()
    for (const m of messages) {
      const data = this.o.route.apply(m.data)
      if (data === null) continue
      if (map === undefined && this.queue.length === 0) {
        this.out(data, m.position)
        continue
      }
      let atMs = now
      const due = map?.localTimeOf(m.position)
      if (due !== undefined) {
        if (due < now) this.late++
        else atMs = due
      }
      // Never before an earlier message: order is part of the performance (note-off after note-on).
      atMs = Math.max(this.lastAtMs, atMs)
      this.lastAtMs = atMs
      const schedulers = this.queue.length === 0 ? this.outputSchedulers() : null
      if (schedulers) this.handOver(schedulers, data, m.position, atMs)
      else this.queue.push({ data, position: m.position, atMs })
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

  /** Resolves once everything delivered so far has been sent (at its time, or flushed). */
  async whenSent(): Promise<void> {
    if (this.queue.length > 0) await new Promise<void>((resolve) => this.waiters.push(resolve))
    if (this.schedulers) await Promise.all(this.schedulers.map((s) => s.whenWritten()))
  }

  /** Every output's scheduler, or null when one has none (or there are no outputs). */
  private outputSchedulers(): MidiScheduler[] | null {
    if (this.schedulers !== undefined) return this.schedulers
    const all = this.o.outputs.map((o) => o.scheduler?.())
    this.schedulers = all.length > 0 && all.every((s) => s !== undefined) ? (all as MidiScheduler[]) : null
    return this.schedulers
  }

  /** To the outputs' own schedulers, due at atMs; an output that cannot take it sends it now. */
  private handOver(schedulers: MidiScheduler[], data: Uint8Array, position: number, atMs: number): void {
    this.held.track(data)
    this.messagesOut++
    for (const [i, s] of schedulers.entries()) if (!s.at(data, atMs)) this.o.outputs[i]!.send(data, position)
  }

  private pump(): void {
    const now = this.o.clock.now()
    let i = 0
    while (i < this.queue.length && this.queue[i]!.atMs <= now) {
      const q = this.queue[i++]!
      this.out(q.data, q.position)
    }
    if (i > 0) this.queue = this.queue.slice(i)
    const next = this.queue[0]
    if (next) this.timer.at(next.atMs, () => this.pump())
    else this.sent()
  }

  private flushQueue(): void {
    // What the outputs' schedulers hold goes first: it was handed over before anything queued here.
    if (this.schedulers) for (const s of this.schedulers) s.flush()
    this.timer.cancel()
    const q = this.queue
    this.queue = []
    for (const m of q) this.out(m.data, m.position)
    this.sent()
  }

  private sent(): void {
    this.timer.cancel()
    const w = this.waiters
    this.waiters = []
    for (const resolve of w) resolve()
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
