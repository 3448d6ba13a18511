// A Standard MIDI File played in real time from INIT: tracks merged, tempo changes (and
// SMPTE time division) honoured. Parsing is midi-file's; timing and scheduling are ours.

import { readFileSync } from 'node:fs'
import { parseMidi, type MidiData, type MidiEvent as SmfEvent } from 'midi-file'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import type { MidiInput, MidiInputHandlers } from './endpoint.js'

export interface TimedMessage {
  /** Milliseconds from the start of the file. */
  ms: number
  data: Uint8Array
}

export class SmfInput implements MidiInput {
  readonly description: string
  readonly finite = true
  readonly invalidBytes = 0
  readonly messages: readonly TimedMessage[]
  private timer: unknown
  private stopped = false

  constructor(
    path: string,
    private readonly clock: Clock,
  ) {
    let data: MidiData
    try {
      data = parseMidi(readFileSync(path))
    } catch (err) {
      const fsErr = (err as NodeJS.ErrnoException).code
      throw new UsageError(
        'BAD_MIDI_FILE',
        fsErr ? `cannot read ${path}: ${describeFsError(err)}` : `${path} is not a Standard MIDI File: ${(err as Error).message}`,
      )
    }
    this.messages = schedule(data)
    const lastMs = this.messages.at(-1)?.ms ?? 0
    this.description = `MIDI file ${path} (${this.messages.length} messages, ${(lastMs / 1000).toFixed(1)} s)`
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

/** Every track's events on one time line in ms, tempo map applied; meta events dropped. */
export function schedule(data: MidiData): TimedMessage[] {
  const merged: { tick: number; order: number; event: SmfEvent }[] = []
  let order = 0
  for (const track of data.tracks) {
    let tick = 0
    for (const event of track) {
      tick += event.deltaTime
      merged.push({ tick, order: order++, event })
    }
  }
  merged.sort((a, b) => a.tick - b.tick || a.order - b.order)
  const { header } = data
  const smpte = header.framesPerSecond !== undefined && header.ticksPerFrame !== undefined
  const ticksPerBeat = header.ticksPerBeat ?? 480
  let usPerBeat = 500_000 // 120 bpm until a tempo event says otherwise
  let lastTick = 0
  let ms = 0
  const out: TimedMessage[] = []
  for (const { tick, event } of merged) {
    ms += smpte
      ? ((tick - lastTick) * 1000) / (header.framesPerSecond! * header.ticksPerFrame!)
      : ((tick - lastTick) * usPerBeat) / ticksPerBeat / 1000
    lastTick = tick
    if (event.type === 'setTempo') {
      usPerBeat = event.microsecondsPerBeat
      continue
    }
    const bytes = toBytes(event)
    if (bytes) out.push({ ms, data: bytes })
  }
  return out
}

function toBytes(e: SmfEvent): Uint8Array | undefined {
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
    case 'sysEx': {
      // In a file, F0 <length> <bytes ending in F7>; a packet without its F7 continues in
      // 'endSysEx' escapes, which live shows do not use: only whole ones are played.
      const d = Array.from(e.data)
      return d.at(-1) === 0xf7 ? Uint8Array.from([0xf0, ...d]) : undefined
    }
    default:
      return undefined
  }
}
