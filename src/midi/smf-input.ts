// A Standard MIDI File played in real time from INIT: tracks merged, tempo changes (and
// SMPTE time division) honoured, every event's bytes sent (F7 escapes and divided sysex
// included). Parsing is midi-file's (checked first, smf-file.ts); timing and scheduling are ours.

import { readFileSync } from 'node:fs'
import type { MidiData, MidiEvent as SmfEvent } from 'midi-file'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import type { MidiInput, MidiInputHandlers } from './endpoint.js'
import { readSmf } from './smf-file.js'
import { MidiStreamParser } from './stream-parser.js'

export interface TimedMessage {
  /** Milliseconds from the start of the file. */
  ms: number
  data: Uint8Array
}

export class SmfInput implements MidiInput {
  readonly description: string
  readonly finite = true
  readonly invalidBytes: number
  readonly messages: readonly TimedMessage[]
  private timer: unknown
  private stopped = false

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    let bytes: Uint8Array
    try {
      bytes = readFileSync(path)
    } catch (err) {
      throw new UsageError('BAD_MIDI_FILE', `cannot read ${path}: ${describeFsError(err)}`)
    }
    const { messages, invalidBytes } = plan(readSmf(bytes, path))
    this.messages = messages
    this.invalidBytes = invalidBytes
    const lastMs = this.messages.at(-1)?.ms ?? 0
    const skipped = invalidBytes > 0 ? `; ${invalidBytes} invalid bytes skipped` : ''
    this.description = `MIDI file ${path} (${this.messages.length} messages, ${(lastMs / 1000).toFixed(1)} s${skipped})`
  }

  start(on: MidiInputHandlers): void {
    const startMs = this.clock.now()
    let i = 0
    const pump = (): void => {
      if (this.stopped) return
      const elapsed = this.clock.now() - startMs
      while (i < this.messages.length && this.messages[i]!.ms <= elapsed) on.message(this.messages[i++]!.data)
      if (i >= this.messages.length) return on.end()
      // Timers fire late, never early: aim at the next message's time from the start, so lateness never accumulates.
      this.timer = this.clock.setTimeout(pump, Math.max(0, this.messages[i]!.ms - (this.clock.now() - startMs)))
    }
    pump()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
  }
}

/** A file's messages on one time line, and the bytes in it that made no message. */
export interface SmfPlan {
  messages: TimedMessage[]
  /** Escaped bytes that fit no message, and a sysex a track left unfinished (stats.midi.invalidBytes). */
  invalidBytes: number
}

/**
 * SMF 1.0, "division": a negative first byte is an SMPTE rate, and -29 is 30 drop-frame,
 * i.e. 29.97 (30000/1001) frames a second; a tick is 1 / (frames a second x ticks a frame) s.
 */
export function smpteFramesPerSecond(rate: number): number {
  return rate === 29 ? 30_000 / 1001 : rate
}

/** Every track's events on one time line in ms, tempo map applied; meta events dropped. */
export function schedule(data: MidiData): TimedMessage[] {
  return plan(data).messages
}

/**
 * Each track read as the byte stream it describes on a cable (SMF 1.0, "Track chunks"):
 * a channel event its bytes, F0 <length> <bytes> an F0 then the bytes, F7 <length> <bytes>
 * ("escape") the bytes as they are: real-time (F8, FA, FB, FC), song position (F2 ll mm),
 * MTC quarter frames (F1), a sysex's continuation packets. The same parser as a raw pipe's
 * (stream-parser.ts) makes messages of it, so a sysex divided into an F0 packet and F7
 * packets is sent whole, at the time of the packet that ends it (a message on the wire is
 * whole, src/midi/message.ts), with real-time bytes between its packets sent at their own
 * times; then the tracks are merged.
 */
export function plan(data: MidiData): SmfPlan {
  type Entry = { tick: number; order: number; data?: Uint8Array; usPerBeat?: number }
  const merged: Entry[] = []
  let order = 0
  let invalidBytes = 0
  for (const track of data.tracks) {
    let tick = 0
    const parser = new MidiStreamParser((m) => merged.push({ tick, order: order++, data: m }))
    for (const event of track) {
      tick += event.deltaTime
      if (event.type === 'setTempo') merged.push({ tick, order: order++, usPerBeat: event.microsecondsPerBeat })
      else if (event.type === 'sysEx') parser.feed(Uint8Array.from([0xf0, ...Array.from(event.data)]))
      else if (event.type === 'endSysEx') parser.feed(Uint8Array.from(event.data))
      else {
        const bytes = channelBytes(event)
        if (bytes) parser.feed(bytes)
      }
    }
    parser.end()
    invalidBytes += parser.invalidBytes
  }
  merged.sort((a, b) => a.tick - b.tick || a.order - b.order)
  const { header } = data
  const smpte = header.framesPerSecond !== undefined && header.ticksPerFrame !== undefined
  const msPerSmpteTick = smpte ? 1000 / (smpteFramesPerSecond(header.framesPerSecond!) * header.ticksPerFrame!) : 0
  const ticksPerBeat = header.ticksPerBeat ?? 480
  // Times from the last tempo change, not summed tick by tick: no rounding builds up.
  let usPerBeat = 500_000 // 120 bpm until a tempo event says otherwise
  let fromTick = 0
  let fromMs = 0
  const at = (tick: number): number => (smpte ? tick * msPerSmpteTick : fromMs + ((tick - fromTick) * usPerBeat) / ticksPerBeat / 1000)
  const messages: TimedMessage[] = []
  for (const e of merged) {
    if (e.usPerBeat !== undefined) {
      fromMs = at(e.tick)
      fromTick = e.tick
      usPerBeat = e.usPerBeat
    } else messages.push({ ms: at(e.tick), data: e.data! })
  }
  return { messages, invalidBytes }
}

function channelBytes(e: SmfEvent): Uint8Array | undefined {
  switch (e.type) {
    case 'noteOn':
      return Uint8Array.of(0x90 | e.channel, e.noteNumber, e.velocity)
    case 'noteOff':
      return e.byte9 ? Uint8Array.of(0x90 | e.channel, e.noteNumber, 0) : Uint8Array.of(0x80 | e.channel, e.noteNumber, e.velocity)
    case 'noteAftertouch':
      return Uint8Array.of(0xa0 | e.channel, e.noteNumber, e.amount)
    case 'controller':
      return Uint8Array.of(0xb0 | e.channel, e.controllerType, e.value)
    case 'programChange':
      return Uint8Array.of(0xc0 | e.channel, e.programNumber)
    case 'channelAftertouch':
      return Uint8Array.of(0xd0 | e.channel, e.amount)
    case 'pitchBend': {
      const v = e.value + 8192
      return Uint8Array.of(0xe0 | e.channel, v & 0x7f, (v >> 7) & 0x7f)
    }
    default:
      return undefined // meta events
  }
}
