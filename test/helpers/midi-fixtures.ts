// Standard MIDI Files for tests, written with midi-file: notes, a tempo change, CCs, a
// sysex and clock, so timing and every kind of message can be checked at the far end.

import { writeFileSync } from 'node:fs'
import { parseMidi, writeMidi, type MidiEvent } from 'midi-file'
import { schedule, type TimedMessage } from '../../src/midi/smf-input.js'

/** `notes` notes 60 ms apart (note-on, note-off 40 ms later), a tempo change halfway; returns its schedule. */
export function writeShowMid(path: string, notes = 40): TimedMessage[] {
  const ticksPerBeat = 480
  const events: MidiEvent[] = [{ deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 500_000 }]
  // 500000 us/beat, 480 ticks: 1.0417 ms/tick. 60 ms ~ 58 ticks; after the change (250000 us/beat) 29 ticks.
  for (let i = 0; i < notes; i++) {
    const fast = i >= notes / 2
    if (i === Math.floor(notes / 2)) events.push({ deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 250_000 })
    events.push({ deltaTime: i === 0 ? 0 : fast ? 10 : 20, type: 'noteOn', channel: i % 4, noteNumber: 40 + (i % 40), velocity: 100 })
    if (i % 10 === 0) events.push({ deltaTime: 0, type: 'controller', channel: 0, controllerType: 1, value: i % 128 })
    events.push({ deltaTime: fast ? 19 : 38, type: 'noteOff', channel: i % 4, noteNumber: 40 + (i % 40), velocity: 0 })
  }
  events.push({ deltaTime: 5, type: 'sysEx', data: [0x7e, 0x7f, 0x06, 0x01, 0xf7] })
  events.push({ deltaTime: 5, type: 'pitchBend', channel: 2, value: -100 })
  events.push({ deltaTime: 0, meta: true, type: 'endOfTrack' })
  const bytes = writeMidi({ header: { format: 0, numTracks: 1, ticksPerBeat }, tracks: [events] })
  writeFileSync(path, Uint8Array.from(bytes))
  return schedule(parseMidi(Uint8Array.from(bytes)))
}

/** Reads back a recording made by `--midi-out file:` */
export function readMid(bytes: Uint8Array): TimedMessage[] {
  return schedule(parseMidi(bytes))
}
