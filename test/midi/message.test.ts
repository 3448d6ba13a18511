// MIDI 1.0 messages from their status byte: kind, length, channel, completeness, and the
// line a stage tech reads. A table of every status byte.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  CLOCK_KINDS,
  MIDI_KINDS,
  channelOf,
  describeMidi,
  isCompleteMessage,
  isRealtime,
  kindOf,
  messageLength,
} from '../../src/midi/message.js'

test('every status byte: kind and length (MIDI 1.0 table)', () => {
  const table: Array<[number, string | undefined, number]> = [
    [0x80, 'note-off', 3],
    [0x9f, 'note-on', 3],
    [0xa0, 'poly-pressure', 3],
    [0xb5, 'cc', 3],
    [0xc0, 'program', 2],
    [0xdf, 'channel-pressure', 2],
    [0xe0, 'pitch-bend', 3],
    [0xf0, 'sysex', 0],
    [0xf1, 'mtc', 2],
    [0xf2, 'song-position', 3],
    [0xf3, 'song-select', 2],
    [0xf4, undefined, -1],
    [0xf5, undefined, -1],
    [0xf6, 'tune-request', 1],
    [0xf7, undefined, -1],
    [0xf8, 'clock', 1],
    [0xf9, undefined, -1],
    [0xfa, 'start', 1],
    [0xfb, 'continue', 1],
    [0xfc, 'stop', 1],
    [0xfd, undefined, -1],
    [0xfe, 'active-sensing', 1],
    [0xff, 'reset', 1],
    [0x00, undefined, -1],
    [0x7f, undefined, -1],
  ]
  for (const [status, kind, length] of table) {
    assert.is(kindOf(status), kind, `kind of 0x${status.toString(16)}`)
    assert.is(messageLength(status), length, `length of 0x${status.toString(16)}`)
  }
  // Every channel status of a kind has the same kind whatever its channel.
  for (let s = 0x80; s < 0xf0; s++) assert.is(kindOf(s), kindOf(s & 0xf0))
  assert.is(MIDI_KINDS.length, 18)
  assert.equal([...CLOCK_KINDS].sort(), ['clock', 'continue', 'song-position', 'start', 'stop'])
})

test('real-time statuses are 0xf8 and above; channels are 1-16 on channel messages only', () => {
  assert.equal([0xf7, 0xf8, 0xfe, 0xff].map(isRealtime), [false, true, true, true])
  assert.is(channelOf(Uint8Array.of(0x90, 60, 1)), 1)
  assert.is(channelOf(Uint8Array.of(0xef, 0, 0)), 16)
  assert.is(channelOf(Uint8Array.of(0xf8)), undefined)
  assert.is(channelOf(Uint8Array.of(0xf0, 1, 0xf7)), undefined)
})

test('complete messages: the right length, data bytes under 0x80, a sysex ended by 0xf7', () => {
  const yes = [[0x90, 60, 100], [0xc0, 5], [0xf8], [0xf2, 0, 0], [0xf0, 0xf7], [0xf0, 0x7e, 0x7f, 0xf7]]
  const no = [
    [],
    [0x90, 60],
    [0x90, 60, 100, 1],
    [0x90, 0x80, 1],
    [0xc0],
    [0xf0],
    [0xf0, 1, 2],
    [0xf0, 0x90, 0xf7],
    [0xf4],
    [0x3c, 1, 2],
    [0xf7],
  ]
  for (const m of yes) assert.ok(isCompleteMessage(Uint8Array.from(m)), JSON.stringify(m))
  for (const m of no) assert.not.ok(isCompleteMessage(Uint8Array.from(m)), JSON.stringify(m))
})

test('the readable line for each kind', () => {
  const lines: Array<[number[], string]> = [
    [[0x90, 60, 100], 'note-on ch1 60 vel 100'],
    [[0x8f, 61, 0], 'note-off ch16 61 vel 0'],
    [[0xa2, 60, 30], 'poly-pressure ch3 60 30'],
    [[0xb0, 64, 127], 'cc ch1 64 = 127'],
    [[0xc9, 12], 'program ch10 12'],
    [[0xd0, 90], 'channel-pressure ch1 90'],
    [[0xe0, 0, 0x40], 'pitch-bend ch1 0'],
    [[0xe0, 0, 0], 'pitch-bend ch1 -8192'],
    [[0xe0, 0x7f, 0x7f], 'pitch-bend ch1 8191'],
    [[0xf0, 1, 2, 3, 0xf7], 'sysex 5 bytes'],
    [[0xf2, 0x10, 0x01], 'song-position 144'],
    [[0xf3, 7], 'song-select 7'],
    [[0xf1, 0x35], 'mtc 53'],
    [[0xf8], 'clock'],
    [[0xfc], 'stop'],
    [[0xf6], 'tune-request'],
    [[0xf4], 'status 0xf4'],
  ]
  for (const [data, line] of lines) assert.is(describeMidi(Uint8Array.from(data)), line)
})

test.run()
