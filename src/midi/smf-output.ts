// `--midi-out file:PATH.mid`: records what arrived, when it arrived, as a Standard MIDI
// File (format 0, 0.5 ms ticks), written with midi-file when the session ends.
// Real-time and system-common bytes have no SMF event of their own: they are stored as
// F7 escapes, which sequencers, and SmfInput, play back as the bytes they are.

import { writeFileSync } from 'node:fs'
import { writeMidi, type MidiEvent as SmfEvent } from 'midi-file'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { Clock } from '../clock.js'
import type { MidiOutput } from './endpoint.js'

/** 1000 ticks per beat at 120 bpm: a tick is 0.5 ms. */
const TICKS_PER_BEAT = 1000
const US_PER_BEAT = 500_000
const MS_PER_TICK = US_PER_BEAT / 1000 / TICKS_PER_BEAT

export class SmfMidiOutput implements MidiOutput {
  readonly description: string
  private readonly recorded: { ms: number; data: Uint8Array }[] = []
  private firstMs: number | undefined

  constructor(
    private readonly path: string,
    private readonly clock: Clock,
  ) {
    this.description = `MIDI file ${path}`
    try {
      writeFileSync(path, new Uint8Array(0)) // fail now, not at the end of the show
    } catch (err) {
      throw new UsageError('MIDI_UNWRITABLE', `cannot write ${path}: ${describeFsError(err)}`)
    }
  }

  send(data: Uint8Array): void {
    const now = this.clock.now()
    this.firstMs ??= now
    this.recorded.push({ ms: now - this.firstMs, data: Uint8Array.from(data) })
  }

  async close(): Promise<void> {
    const events: SmfEvent[] = [{ deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: US_PER_BEAT }]
    let lastTick = 0
    for (const r of this.recorded) {
      const tick = Math.round(r.ms / MS_PER_TICK)
      const e = toSmfEvent(r.data, tick - lastTick)
      lastTick = tick
      events.push(e)
    }
    events.push({ deltaTime: 0, meta: true, type: 'endOfTrack' })
    const bytes = writeMidi({ header: { format: 0, numTracks: 1, ticksPerBeat: TICKS_PER_BEAT }, tracks: [events] })
    writeFileSync(this.path, Uint8Array.from(bytes))
  }
}

function toSmfEvent(d: Uint8Array, deltaTime: number): SmfEvent {
  const s = d[0]!
  const channel = s & 0x0f
  switch (s >> 4) {
    case 0x8:
      return { deltaTime, type: 'noteOff', channel, noteNumber: d[1]!, velocity: d[2]! }
    case 0x9:
      return { deltaTime, type: 'noteOn', channel, noteNumber: d[1]!, velocity: d[2]! }
    case 0xa:
      return { deltaTime, type: 'noteAftertouch', channel, noteNumber: d[1]!, amount: d[2]! }
    case 0xb:
      return { deltaTime, type: 'controller', channel, controllerType: d[1]!, value: d[2]! }
    case 0xc:
      return { deltaTime, type: 'programChange', channel, programNumber: d[1]! }
    case 0xd:
      return { deltaTime, type: 'channelAftertouch', channel, amount: d[1]! }
    case 0xe:
      return { deltaTime, type: 'pitchBend', channel, value: d[1]! + d[2]! * 128 - 8192 }
  }
  if (s === 0xf0) return { deltaTime, type: 'sysEx', data: Array.from(d.subarray(1)) }
  return { deltaTime, type: 'endSysEx', data: Array.from(d) }
}
