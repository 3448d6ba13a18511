import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NoteState, panicMessages } from '../../src/midi/note-state.js'

const m = (...b: number[]) => Uint8Array.of(...b)
const arr = (xs: Uint8Array[]) => xs.map((x) => Array.from(x))

test('release sends a note-off for each held note and sustain off for each held pedal, then forgets', () => {
  const s = new NoteState()
  for (const x of [m(0x90, 60, 100), m(0x90, 64, 100), m(0x91, 60, 90), m(0x80, 64, 0), m(0xb3, 64, 127)]) s.track(x)
  assert.is(s.heldNotes, 2)
  assert.equal(arr(s.release()), [
    [0x80, 60, 0],
    [0x81, 60, 0],
    [0xb3, 64, 0],
  ])
  assert.is(s.anythingHeld, false)
  assert.equal(s.release(), [])
})

test('note-on with velocity 0 is a note-off; all-notes-off and reset clear a channel; pedal up clears sustain', () => {
  const s = new NoteState()
  s.track(m(0x90, 60, 100))
  s.track(m(0x90, 60, 0))
  s.track(m(0x92, 1, 1))
  s.track(m(0xb2, 123, 0))
  s.track(m(0xb0, 64, 100))
  s.track(m(0xb0, 64, 10))
  assert.is(s.anythingHeld, false)
  s.track(m(0x95, 5, 5))
  s.track(m(0xff))
  assert.is(s.anythingHeld, false)
})

test('panic covers every channel with sustain off and all notes off', () => {
  const p = arr(panicMessages())
  assert.is(p.length, 32)
  assert.ok(p.some((x) => x[0] === 0xbf && x[1] === 123))
})

test.run()
