import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import {
  decodeMidiAck,
  decodeMidiPayload,
  encodeMidiAck,
  encodeMidiFrame,
  packEvents,
  MIDI_MAX_PAYLOAD,
  type MidiEvent,
} from '../../src/codec/midi.js'
import { decodeFrame } from '../../src/codec/messages.js'
import { HEADER_BYTES, MSG } from '../../src/codec/header.js'
import { FrameError } from '../../src/errors.js'

const ev = (serial: number, data: number[], flags = 0): MidiEvent => ({ serial, position: serial * 10, flags, data: Uint8Array.from(data) })

test('a MIDI frame round-trips: oldest serial, consecutive serials, positions, flags, bytes', () => {
  const events = [ev(0xfffffffe, [0x90, 60, 100]), ev(0xffffffff, [0xf8]), ev(0, [0xf0, 1, 2], 1)]
  const frame = encodeMidiFrame(events, 0, 3, { seq: 7, sessionId: 42, timestamp: 123, oldest: 0xfffffff0 })
  const f = decodeFrame(frame, MIDI_MAX_PAYLOAD)
  assert.is(f.header.type, MSG.MIDI)
  const p = decodeMidiPayload(f.payload)
  assert.is(p.oldest, 0xfffffff0)
  assert.equal(
    p.events.map((e) => [e.serial, e.position >>> 0, e.flags, Array.from(e.data)]),
    events.map((e) => [e.serial, e.position >>> 0, e.flags, Array.from(e.data)]),
  )
})

test('packEvents splits runs so every frame fits MIDI_MAX_PAYLOAD', () => {
  const events = Array.from({ length: 50 }, (_, i) => ev(i, [0xf0, ...new Array(100).fill(1), 0xf7]))
  const runs: Array<[number, number]> = []
  packEvents(events, 0, events.length, (a, b) => runs.push([a, b]))
  assert.is(runs[0]![0], 0)
  assert.is(runs.at(-1)![1], 50)
  for (const [a, b] of runs) {
    const frame = encodeMidiFrame(events, a, b, { seq: 0, sessionId: 1, timestamp: 0, oldest: a })
    assert.ok(frame.byteLength - HEADER_BYTES <= MIDI_MAX_PAYLOAD)
  }
})

test('MIDI_ACK round-trips and a wrong length is a FrameError', () => {
  const f = decodeFrame(encodeMidiAck(0xdeadbeef, 9), 64)
  assert.is(decodeMidiAck(f.payload), 0xdeadbeef)
  assert.throws(
    () => decodeMidiAck(new Uint8Array(3)),
    (e: unknown) => e instanceof FrameError && (e as FrameError).code === 'BAD_MIDI_ACK',
  )
})

test('malformed payloads: only FrameError, with a reason', () => {
  const cases: Array<[number[], RegExp]> = [
    [[0, 0, 0], /shorter than its 10-byte prefix/],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], /ends inside event 1 of 1/],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 1], /declares 9 bytes/],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0], /empty/],
    [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], /1 bytes after its 0 events/],
  ]
  for (const [bytes, why] of cases)
    assert.throws(
      () => decodeMidiPayload(Uint8Array.from(bytes)),
      (e: unknown) => e instanceof FrameError && why.test((e as Error).message),
    )
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      try {
        decodeMidiPayload(b)
      } catch (e) {
        if (!(e instanceof FrameError)) throw e
      }
    }),
    { numRuns: 500 },
  )
})

test.run()
