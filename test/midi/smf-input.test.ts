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

test('SMPTE -29 is 29.97 frames a second: the last note of a 30 s file lands at 30 s (+-1 ms), played on the clock', async () => {
  // 30 drop-frame, 80 ticks a frame: 2397.6 ticks a second. A note a second, the last at 30 s.
  const ticksPerSecond = (30_000 / 1001) * 80
  const events: MidiData['tracks'][number] = []
  let lastTick = 0
  for (let s = 0; s <= 30; s++) {
    const tick = Math.round(s * ticksPerSecond)
    events.push({ deltaTime: tick - lastTick, type: 'noteOn', channel: 0, noteNumber: 40 + s, velocity: 90 })
    events.push({ deltaTime: 0, type: 'noteOff', channel: 0, noteNumber: 40 + s, velocity: 0 })
    lastTick = tick
  }
  events.push({ deltaTime: 0, meta: true, type: 'endOfTrack' })
  const path = join(dir, 'df30.mid')
  writeFileSync(
    path,
    Uint8Array.from(writeMidi({ header: { format: 0, numTracks: 1, framesPerSecond: 29, ticksPerFrame: 80 }, tracks: [events] })),
  )
  const clock = new ManualClock()
  const input = new SmfInput(path, clock)
  const at = new Map<number, number>()
  input.start({ message: (m) => m[0] === 0x90 && at.set(m[1]!, clock.now()), end: () => {} })
  await clock.advance(31_000)
  assert.is(at.size, 31)
  const last = at.get(70)!
  assert.ok(Math.abs(last - 30_000) <= 1, `the last note at ${last} ms`)
  assert.ok(Math.abs(at.get(55)! - 15_000) <= 1, `the middle one at ${at.get(55)} ms`)
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

test('a clocked file: its F7 escapes (song position, start, clocks, stop) and a divided sysex all play; bad escaped bytes are counted and said', () => {
  const path = join(dir, 'clocked.mid')
  writeFileSync(
    path,
    Uint8Array.from(
      writeMidi({
        header: { format: 0, numTracks: 1, ticksPerBeat: 24 },
        tracks: [
          [
            { deltaTime: 0, type: 'endSysEx', data: [0xf2, 0, 0] },
            { deltaTime: 0, type: 'endSysEx', data: [0xfa] },
            ...Array.from({ length: 48 }, (_, i) => ({ deltaTime: i === 0 ? 0 : 1, type: 'endSysEx' as const, data: [0xf8] })),
            { deltaTime: 1, type: 'endSysEx', data: [0xfc] },
            { deltaTime: 0, type: 'sysEx', data: [0x43, 0x10] },
            { deltaTime: 3, type: 'endSysEx', data: [0x4c, 0xf7] },
            { deltaTime: 0, type: 'endSysEx', data: [0x55, 0xf5] },
            { deltaTime: 0, meta: true, type: 'endOfTrack' },
          ],
        ],
      }),
    ),
  )
  const input = new SmfInput(path, new ManualClock())
  const kinds = input.messages.map((m) => Array.from(m.data))
  assert.equal(kinds.slice(0, 3), [[0xf2, 0, 0], [0xfa], [0xf8]])
  assert.is(kinds.filter((d) => d[0] === 0xf8).length, 48)
  assert.equal(kinds.slice(-2), [[0xfc], [0xf0, 0x43, 0x10, 0x4c, 0xf7]])
  // 24 ticks a beat at 120 bpm: a clock every 500/24 ms; stop after the 48th, two beats in.
  assert.ok(Math.abs(input.messages.at(-2)!.ms - 1000) < 1e-9)
  assert.ok(Math.abs(input.messages.at(-1)!.ms - 1000 - 3 * (500 / 24)) < 1e-9, 'the sysex when its last packet is due')
  assert.is(input.invalidBytes, 2)
  assert.is(input.description, `MIDI file ${path} (52 messages, 1.1 s; 2 invalid bytes skipped)`)
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
  assert.is(err.message, `${text} is not a Standard MIDI File: it does not begin with MThd`)
  const empty = join(dir, 'empty.mid')
  writeFileSync(empty, '')
  err = thrown(() => new SmfInput(empty, new ManualClock()))
  assert.equal([err.code, err.message], ['BAD_MIDI_FILE', `${empty} is empty (0 bytes), not a Standard MIDI File`])
})

test.run()
