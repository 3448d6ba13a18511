import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { MidiStreamParser } from '../../src/midi/stream-parser.js'
import { isCompleteMessage } from '../../src/midi/message.js'

function parse(bytes: number[], split = bytes.length) {
  const out: number[][] = []
  const p = new MidiStreamParser((m) => out.push(Array.from(m)))
  p.feed(Uint8Array.from(bytes.slice(0, split)))
  p.feed(Uint8Array.from(bytes.slice(split)))
  return { out, invalid: p.invalidBytes }
}

// Running status, a clock byte inside a note, a long sysex with clock inside it, program change, pitch bend.
const SYSEX = [0xf0, ...Array.from({ length: 3000 }, (_, i) => i % 128), 0xf7]
const STREAM = [
  0x90,
  60,
  100,
  62,
  100,
  0xf8,
  64,
  0x80,
  60,
  0,
  62,
  0,
  0xf0,
  1,
  0xf8,
  2,
  0xf7,
  0xc5,
  7,
  9,
  0xe0,
  0,
  64,
  ...SYSEX,
  0xfa,
  0xf2,
  0x10,
  0x02,
  0xb0,
  64,
  127,
]

test('running status, interleaved real-time bytes and long sysex come out as whole messages', () => {
  const { out, invalid } = parse(STREAM)
  assert.equal(out, [
    [0x90, 60, 100],
    [0x90, 62, 100],
    [0xf8],
    // 64 then 0x80: the note-on under running status is interrupted by a new status: dropped and counted.
    [0x80, 60, 0],
    [0x80, 62, 0],
    [0xf8],
    [0xf0, 1, 2, 0xf7],
    [0xc5, 7],
    [0xc5, 9],
    [0xe0, 0, 64],
    SYSEX,
    [0xfa],
    [0xf2, 0x10, 0x02],
    [0xb0, 64, 127],
  ])
  assert.is(invalid, 1)
})

test('the same stream split at every byte offset parses the same', () => {
  const whole = parse(STREAM).out
  for (let i = 0; i <= STREAM.length; i += 7) assert.equal(parse(STREAM, i).out, whole, `split at ${i}`)
})

test('invalid bytes are skipped and counted, and parsing carries on', () => {
  // Data with no status, undefined 0xf4/0xf5/0xf9/0xfd, a stray 0xf7, then a good note.
  const { out, invalid } = parse([5, 6, 0xf4, 0xf5, 0xf9, 0xfd, 0xf7, 0x91, 1, 2])
  assert.equal(out, [[0x91, 1, 2]])
  assert.is(invalid, 7)
})

test('system common cancels running status; an unterminated sysex is dropped when a status arrives', () => {
  const { out, invalid } = parse([0x90, 60, 1, 0xf6, 61, 2, 0xf0, 1, 2, 0x90, 62, 3])
  assert.equal(out, [[0x90, 60, 1], [0xf6], [0x90, 62, 3]])
  assert.is(invalid, 2 + 3)
})

test('end(): a sysex with no F7 and a cut message still under way are dropped and counted; the parser starts afresh', () => {
  const out: number[][] = []
  const p = new MidiStreamParser((m) => out.push(Array.from(m)))
  p.feed(Uint8Array.of(0xf0, 1, 2, 3))
  p.end()
  assert.is(p.invalidBytes, 4, 'F0 and its three bytes')
  p.feed(Uint8Array.of(0x90, 60))
  p.end()
  assert.is(p.invalidBytes, 6, 'and the note cut after its key')
  p.feed(Uint8Array.of(0xf7, 0x90, 60, 1))
  assert.equal(out, [[0x90, 60, 1]], 'the F7 after end() is stray, not the end of the dropped sysex')
  assert.is(p.invalidBytes, 7)
})

test('random bytes never throw and every message emitted is a valid MIDI message', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const p = new MidiStreamParser((m) => {
        if (!isCompleteMessage(m)) throw new Error(`invalid message ${Array.from(m)}`)
      })
      p.feed(bytes)
    }),
    { numRuns: 300 },
  )
})

test.run()
