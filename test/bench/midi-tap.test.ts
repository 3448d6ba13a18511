// The alignment bench's MIDI tap: each impulse's note-on names it, and the tap finds them in a
// raw byte stream split anywhere, among note-offs, controllers, program changes, real-time
// bytes and sysex, timed by the read that completed them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { indexOf, NoteTap, noteFor } from '../../bench/midi-tap.js'

test('a note-on names its impulse, both ways, up to the last one that fits', () => {
  for (const k of [0, 1, 127, 128, 5000, 127 * 128 - 1]) {
    const [status, note, velocity] = noteFor(k)
    assert.is(status, 0x90)
    assert.ok(velocity! >= 1 && velocity! <= 127, `velocity ${velocity}`)
    assert.is(indexOf(note!, velocity!), k)
  }
  assert.throws(() => noteFor(127 * 128), RangeError)
  assert.throws(() => noteFor(-1), RangeError)
})

test('the tap keeps each note-on once, at the read that completed it, whatever else is in the stream and wherever it is split', () => {
  const stream = Uint8Array.from([
    ...noteFor(3),
    0x80,
    3,
    0, // note-off
    0xb0,
    64,
    127, // sustain
    0xc0,
    5, // program change: one data byte
    0xf0,
    1,
    2,
    3,
    0xf7, // sysex
    0x90,
    200 & 0x7f,
    0xf8,
    2, // a clock byte inside a note-on (impulse 200: note 72, velocity 2)
    0x90,
    9,
    0, // velocity 0: a note-off
    ...noteFor(3), // a copy: the first is kept
  ])
  for (let split = 0; split <= stream.length; split++) {
    const tap = new NoteTap()
    tap.push(stream.subarray(0, split), 10)
    tap.push(stream.subarray(split), 20)
    assert.equal([...tap.seenMs.keys()], [3, 200], `split at ${split}`)
    assert.is(tap.seenMs.get(3), split >= 3 ? 10 : 20, `split at ${split}`)
    assert.is(tap.seenMs.get(200), split >= 20 ? 10 : 20, `split at ${split}`)
  }
})

test.run()
