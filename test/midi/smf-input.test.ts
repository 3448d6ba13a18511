// A Standard MIDI File played from INIT: tracks merged on one time line, tempo changes and
// SMPTE division honoured, each message sent when its time has come, then end.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeMidi, type MidiData } from 'midi-file'
import { SmfInput, schedule } from '../../src/midi/smf-input.js'
import { SynchroError } from '../../src/errors.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-smf-in-'))

const twoTracks: MidiData = {
  header: { format: 1, numTracks: 2, ticksPerBeat: 480 },
  tracks: [
    // Track 1: tempo 120 bpm, then 60 bpm after one beat.
    [
      { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 500_000 },
      { deltaTime: 480, meta: true, type: 'setTempo', microsecondsPerBeat: 1_000_000 },
      { deltaTime: 0, meta: true, type: 'endOfTrack' },
    ],
    // Track 2: a note at 0, its off after half a beat, a CC after two beats, a sysex and a bend after three.
    [
      { deltaTime: 0, type: 'noteOn', channel: 1, noteNumber: 60, velocity: 100 },
      { deltaTime: 240, type: 'noteOff', channel: 1, noteNumber: 60, velocity: 0 },
      { deltaTime: 720, type: 'controller', channel: 0, controllerType: 7, value: 90 },
      { deltaTime: 480, type: 'sysEx', data: [0x7e, 0x01, 0xf7] },
      { deltaTime: 0, type: 'pitchBend', channel: 2, value: -8192 },
      { deltaTime: 0, meta: true, type: 'endOfTrack' },
    ],
  ],
}

test('schedule: tracks merged, the tempo map applied, meta events dropped, bytes as on the wire', () => {
  const s = schedule(twoTracks)
  assert.equal(
    s.map((m) => m.ms),
    [0, 250, 1500, 2500, 2500],
    'beat 1 at 500 ms; then 1 s a beat',
  )
  assert.equal(
    s.map((m) => Array.from(m.data)),
    [
      [0x91, 60, 100],
      [0x81, 60, 0],
      [0xb0, 7, 90],
      [0xf0, 0x7e, 0x01, 0xf7],
      [0xe2, 0, 0],
    ],
  )
})

test('schedule: SMPTE division (25 fps, 40 ticks a frame: 1 ms a tick)', () => {
  const s = schedule({
    header: { format: 0, numTracks: 1, framesPerSecond: 25, ticksPerFrame: 40 },
    tracks: [
      [
        { deltaTime: 0, type: 'noteOn', channel: 0, noteNumber: 1, velocity: 1 },
        { deltaTime: 750, type: 'noteOn', channel: 0, noteNumber: 2, velocity: 1 },
      ],
    ],
  })
  assert.equal(
    s.map((m) => m.ms),
    [0, 750],
  )
})

test('played on the clock: each message when its time has come, none early, then end', async () => {
  const path = join(dir, 'two.mid')
  writeFileSync(path, Uint8Array.from(writeMidi(twoTracks)))
  const clock = new ManualClock()
  const input = new SmfInput(path, clock)
  assert.equal([input.description, input.finite, input.invalidBytes], [`MIDI file ${path} (5 messages, 2.5 s)`, true, 0])
  const got: Array<[number, number]> = []
  let endedAt: number | undefined
  input.start({ message: (m) => got.push([clock.now(), m[0]!]), end: () => (endedAt = clock.now()) })
  await clock.advance(249)
  assert.equal(got, [[0, 0x91]])
  await clock.advance(1)
  assert.equal(got.at(-1), [250, 0x81])
  await clock.advance(3000)
  assert.equal(got, [
    [0, 0x91],
    [250, 0x81],
    [1500, 0xb0],
    [2500, 0xf0],
    [2500, 0xe2],
  ])
  assert.is(endedAt, 2500)
})

test('stopped, it sends nothing more', async () => {
  const path = join(dir, 'stop.mid')
  writeFileSync(path, Uint8Array.from(writeMidi(twoTracks)))
  const clock = new ManualClock()
  const input = new SmfInput(path, clock)
  let n = 0
  input.start({ message: () => n++, end: () => assert.unreachable('stopped before the end') })
  await clock.advance(300)
  input.stop()
  await clock.advance(5000)
  assert.is(n, 2)
  assert.is(clock.pendingTimers, 0)
})

test('a missing file and a file that is not MIDI: BAD_MIDI_FILE, saying which', () => {
  const missing = join(dir, 'missing.mid')
  let err = thrown(() => new SmfInput(missing, new ManualClock()))
  assert.instance(err, SynchroError)
  assert.equal([err.code, err.message], ['BAD_MIDI_FILE', `cannot read ${missing}: no such file or directory`])
  const text = join(dir, 'notes.txt')
  writeFileSync(text, 'C D E F G')
  err = thrown(() => new SmfInput(text, new ManualClock()))
  assert.is(err.code, 'BAD_MIDI_FILE')
  assert.match(err.message, new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not a Standard MIDI File: `))
})

test.run()
