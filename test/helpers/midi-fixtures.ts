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

/** A variable-length quantity (SMF 1.0): 7 bits a byte, high bit set on all but the last. */
export function varLen(n: number): number[] {
  const out = [n & 0x7f]
  for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80)
  return out
}

/** A chunk: its 4-letter id, a 32-bit length (the body's unless `declared` lies), the body. */
export function chunk(id: string, body: number[], declared = body.length): number[] {
  return [...Buffer.from(id, 'latin1'), (declared >>> 24) & 0xff, (declared >> 16) & 0xff, (declared >> 8) & 0xff, declared & 0xff, ...body]
}

/** MThd with format, track count and division (a 16-bit word: ticks a beat, or -fps << 8 | ticks a frame). */
export function header(format: number, numTracks: number, division: number): number[] {
  return chunk('MThd', [0, format, numTracks >> 8, numTracks & 0xff, (division >> 8) & 0xff, division & 0xff])
}

/** A division word for SMPTE: `-fps` in the high byte (two's complement), ticks a frame in the low. */
export function smpteDivision(fps: 24 | 25 | 29 | 30, ticksPerFrame: number): number {
  return ((0x100 - fps) << 8) | ticksPerFrame
}

/** A track chunk from events written byte by byte (delta-times included), ended by FF 2F 00. */
export function track(events: number[]): number[] {
  return chunk('MTrk', [...events, 0, 0xff, 0x2f, 0])
}

/**
 * A clocked show as a sequencer sends it: song position 0 (F2 00 00), start (FA), 24 clocks
 * (F8) a beat at `bpm` with a note on every beat, stop (FC), an MTC quarter frame (F1) and a
 * sysex at the end: every kind of real-time and system-common byte a recording must keep.
 */
export function clockedShow(beats = 8, bpm = 120): TimedMessage[] {
  const msPerClock = 60_000 / bpm / 24
  const out: TimedMessage[] = [
    { ms: 0, data: Uint8Array.of(0xf2, 0x00, 0x00) },
    { ms: 0, data: Uint8Array.of(0xfa) },
  ]
  for (let c = 0; c < beats * 24; c++) {
    const ms = c * msPerClock
    out.push({ ms, data: Uint8Array.of(0xf8) })
    if (c % 24 === 0) out.push({ ms, data: Uint8Array.of(0x90, 60 + c / 24, 100) })
    if (c % 24 === 12) out.push({ ms, data: Uint8Array.of(0x80, 60 + (c - 12) / 24, 0) })
  }
  const end = beats * 24 * msPerClock
  out.push({ ms: end, data: Uint8Array.of(0xfc) })
  out.push({ ms: end, data: Uint8Array.of(0xf2, 0x20, 0x00) }) // where it stopped: 32 sixteenths
  out.push({ ms: end + 5, data: Uint8Array.of(0xf1, 0x21) })
  out.push({ ms: end + 10, data: Uint8Array.of(0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7) })
  return out
}

/**
 * `clockedShow` as a file a sequencer would write: 480 ticks a beat, real-time and
 * system-common bytes as F7 escapes, and first a 3000-byte sysex divided into an F0 packet
 * and two F7 packets 10 ticks apart (longer than a wire fragment, docs/PROTOCOL.md); returns
 * its schedule (the sysex whole, when its last packet is due).
 */
export function writeClockedMid(path: string, beats = 8): TimedMessage[] {
  const msPerTick = 500 / 480 // the default 120 bpm
  const dump = Array.from({ length: 3000 }, (_, i) => (i * 7) & 0x7f)
  const events: MidiEvent[] = [
    { deltaTime: 0, type: 'sysEx', data: [0x7d, ...dump.slice(0, 1000)] },
    { deltaTime: 10, type: 'endSysEx', data: dump.slice(1000, 2000) },
    { deltaTime: 10, type: 'endSysEx', data: [...dump.slice(2000), 0xf7] },
  ]
  let lastTick = 20
  for (const m of clockedShow(beats)) {
    const tick = 20 + Math.round(m.ms / msPerTick)
    const deltaTime = tick - lastTick
    lastTick = tick
    const d = Array.from(m.data)
    if (d[0] === 0xf0) events.push({ deltaTime, type: 'sysEx', data: d.slice(1) })
    else if (d[0]! >= 0xf0) events.push({ deltaTime, type: 'endSysEx', data: d })
    else if (d[0]! >> 4 === 0x9) events.push({ deltaTime, type: 'noteOn', channel: d[0]! & 15, noteNumber: d[1]!, velocity: d[2]! })
    else events.push({ deltaTime, type: 'noteOff', channel: d[0]! & 15, noteNumber: d[1]!, velocity: d[2]! })
  }
  events.push({ deltaTime: 0, meta: true, type: 'endOfTrack' })
  const bytes = writeMidi({ header: { format: 0, numTracks: 1, ticksPerBeat: 480 }, tracks: [events] })
  writeFileSync(path, Uint8Array.from(bytes))
  return schedule(parseMidi(Uint8Array.from(bytes)))
}
