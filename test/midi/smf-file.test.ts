// A table of edge-case Standard MIDI Files, each written byte by byte by the test (never
// checked in), with what it must give: the messages and their times, or one named line.
// SMF 1.0 is the reference for every row (formats, division, running status, F0 and F7
// events, chunks).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { writeMidi } from 'midi-file'
import { readSmf } from '../../src/midi/smf-file.js'
import { plan } from '../../src/midi/smf-input.js'
import { SynchroError } from '../../src/errors.js'
import { chunk, header, smpteDivision, track, varLen } from '../helpers/midi-fixtures.js'
import { thrown } from '../helpers/thrown.js'

/** 500 ticks a beat at the default 120 bpm: a tick is 1 ms, so ticks read as ms below. */
const TPB = 500
const on = (key: number, vel = 100): number[] => [0x90, key, vel]
const off = (key: number): number[] => [0x80, key, 0]
const TEMPO_1S = [0xff, 0x51, 3, 0x0f, 0x42, 0x40] // 1,000,000 us a beat: 60 bpm

type Row = {
  name: string
  file: number[]
} & ({ messages: Array<[number, number[]]>; invalidBytes?: number } | { refused: string })

const rows: Row[] = [
  {
    name: 'format 0, the default tempo (120 bpm)',
    file: [...header(0, 1, TPB), ...track([0, ...on(60), ...varLen(500), ...off(60)])],
    messages: [
      [0, on(60)],
      [500, off(60)],
    ],
  },
  {
    name: 'format 1: the tempo map in track 1 applies to the notes of track 2',
    file: [...header(1, 2, TPB), ...track([0, ...TEMPO_1S]), ...track([0, ...on(60), ...varLen(1000), ...off(60)])],
    messages: [
      [0, on(60)],
      [2000, off(60)],
    ],
  },
  {
    name: 'format 2 is refused',
    file: [...header(2, 1, TPB), ...track([0, ...on(60)])],
    refused: 'x.mid is format 2 (independent patterns, one after another), which Synchro does not play: save it as format 0 or 1',
  },
  {
    name: 'format 3 does not exist',
    file: [...header(3, 1, TPB), ...track([])],
    refused: 'x.mid is format 3: only formats 0 and 1 play',
  },
  ...(
    [
      [24, 4, 288, 3000],
      [25, 40, 1000, 1000],
      // -29 is 30 drop-frame: 29.97 (30000/1001) frames a second, 80 ticks a frame.
      [29, 80, 2398, (2398 * 1000 * 1001) / (30_000 * 80)],
      [30, 80, 2400, 1000],
    ] as const
  ).map(
    ([fps, tpf, ticks, ms]): Row => ({
      name: `SMPTE -${fps}, ${tpf} ticks a frame (a tempo event changes nothing)`,
      file: [...header(0, 1, smpteDivision(fps, tpf)), ...track([0, ...on(60), 0, ...TEMPO_1S, ...varLen(ticks), ...off(60)])],
      messages: [
        [0, on(60)],
        [ms, off(60)],
      ],
    }),
  ),
  {
    name: 'SMPTE -28 frames a second does not exist',
    file: [...header(0, 1, ((0x100 - 28) << 8) | 10), ...track([])],
    refused: 'x.mid has an SMPTE division of -28 frames a second: only -24, -25, -29 and -30 exist',
  },
  {
    name: 'a division of 0 ticks a beat',
    file: [...header(0, 1, 0), ...track([])],
    refused: 'x.mid has a division of 0 ticks a beat',
  },
  {
    name: 'running status, across a meta event too (as midi-file and real files do)',
    file: [...header(0, 1, TPB), ...track([0, ...on(60), 10, 62, 100, 0, 0xff, 0x01, 1, 0x41, 10, 60, 0])],
    messages: [
      [0, on(60)],
      [10, on(62)],
      [20, [0x90, 60, 0]],
    ],
  },
  {
    name: 'a whole sysex (F0 <length> <bytes> F7)',
    file: [...header(0, 1, TPB), ...track([0, 0xf0, 5, 0x7e, 0x7f, 0x09, 0x01, 0xf7])],
    messages: [[0, [0xf0, 0x7e, 0x7f, 0x09, 0x01, 0xf7]]],
  },
  {
    name: 'a divided sysex: F0 packet, F7 packets, a clock escape between them; sent whole when its last packet is due',
    file: [
      ...header(0, 1, TPB),
      ...track([
        0,
        0xf0,
        3,
        0x43,
        0x12,
        0x00,
        100,
        0xf7,
        1,
        0xf8,
        100,
        0xf7,
        3,
        0x43,
        0x12,
        0x00,
        ...varLen(200),
        0xf7,
        4,
        0x01,
        0x02,
        0x03,
        0xf7,
      ]),
    ],
    messages: [
      [100, [0xf8]],
      [400, [0xf0, 0x43, 0x12, 0x00, 0x43, 0x12, 0x00, 0x01, 0x02, 0x03, 0xf7]],
    ],
  },
  {
    name: 'F7 escapes: clock, start, continue, stop, song position, MTC, song select, tune request, as they are',
    file: [
      ...header(0, 1, TPB),
      ...track([
        0, 0xf7, 3, 0xf2, 0x00, 0x08, 0, 0xf7, 1, 0xfa, 10, 0xf7, 1, 0xf8, 10, 0xf7, 1, 0xfc, 10, 0xf7, 1, 0xfb, 10, 0xf7, 2, 0xf1, 0x21,
        10, 0xf7, 2, 0xf3, 0x02, 10, 0xf7, 1, 0xf6,
      ]),
    ],
    messages: [
      [0, [0xf2, 0x00, 0x08]],
      [0, [0xfa]],
      [10, [0xf8]],
      [20, [0xfc]],
      [30, [0xfb]],
      [40, [0xf1, 0x21]],
      [50, [0xf3, 0x02]],
      [60, [0xf6]],
    ],
  },
  {
    name: 'one escape holding three messages; a note in an escape',
    file: [...header(0, 1, TPB), ...track([0, 0xf7, 3, 0xf8, 0xf8, 0xfa, 5, 0xf7, 3, ...on(64)])],
    messages: [
      [0, [0xf8]],
      [0, [0xf8]],
      [0, [0xfa]],
      [5, on(64)],
    ],
  },
  {
    name: 'escaped bytes that make no message are skipped and counted',
    file: [...header(0, 1, TPB), ...track([0, 0xf7, 2, 0x42, 0xf4, 0, ...on(60)])],
    messages: [[0, on(60)]],
    invalidBytes: 2,
  },
  {
    name: 'a divided sysex cut by a note (and one left open at the end of its track): dropped and counted, the note plays',
    file: [...header(0, 1, TPB), ...track([0, 0xf0, 2, 0x43, 0x12, 10, ...on(60), 10, 0xf0, 1, 0x43])],
    messages: [[10, on(60)]],
    invalidBytes: 3 + 2,
  },
  {
    name: "a divided sysex in track 1 is not finished by track 2's F7 packet",
    file: [...header(1, 2, TPB), ...track([0, 0xf0, 1, 0x43, 10, 0xf7, 1, 0xf7]), ...track([5, 0xf7, 2, 0x01, 0xf7])],
    messages: [[10, [0xf0, 0x43, 0xf7]]],
    invalidBytes: 2, // track 2's 0x01 (no status) and its stray F7
  },
  {
    name: 'a tempo change in the middle of a note',
    file: [...header(0, 1, TPB), ...track([0, ...on(60), ...varLen(500), ...TEMPO_1S, ...varLen(500), ...off(60)])],
    messages: [
      [0, on(60)],
      [1500, off(60)],
    ],
  },
  {
    name: 'an alien chunk between tracks is skipped (SMF 1.0: "treat them as if they weren\'t there")',
    file: [...header(1, 2, TPB), ...track([0, ...on(60)]), ...chunk('XFIH', [1, 2, 3]), ...track([7, ...off(60)])],
    messages: [
      [0, on(60)],
      [7, off(60)],
    ],
  },
  { name: 'a zero-length file', file: [], refused: 'x.mid is empty (0 bytes), not a Standard MIDI File' },
  {
    name: 'text, not MIDI',
    file: [...Buffer.from('C D E F G')],
    refused: 'x.mid is not a Standard MIDI File: it does not begin with MThd',
  },
  {
    name: 'a header cut short',
    file: [...Buffer.from('MThd'), 0, 0, 0],
    refused: 'x.mid is cut short: 7 bytes, not even a whole header (14)',
  },
  {
    name: 'a track cut short: its chunk declares more bytes than the file has',
    file: [...header(0, 1, TPB), ...chunk('MTrk', [0, ...on(60), 10, ...off(60)], 60)],
    refused: 'x.mid is cut short: track 1 of 1 declares 60 bytes, 8 are there',
  },
  {
    name: 'a track whose last event is cut in two',
    file: [...header(0, 1, TPB), ...chunk('MTrk', [0, ...on(60), 10, 0x80, 60])],
    refused: 'x.mid is cut short: track 1 of 1 ends inside an event',
  },
  {
    name: 'a file that ends before its second track',
    file: [...header(1, 2, TPB), ...track([0, ...on(60)])],
    refused: 'x.mid is cut short: its header declares 2 tracks, only 1 is there',
  },
  {
    name: 'a status a file may not hold (0xF4)',
    file: [...header(0, 1, TPB), ...track([0, 0xf4])],
    refused: 'x.mid is not a Standard MIDI File: track 1 of 1 has status 0xf4 (not allowed in a file) at byte 1',
  },
  {
    name: 'a data byte with no status before it',
    file: [...header(0, 1, TPB), ...track([0, 60, 100])],
    refused: 'x.mid is not a Standard MIDI File: track 1 of 1 has a data byte with no status before it at byte 1',
  },
  {
    name: 'a meta event midi-file refuses (end of track with a length): its words, in one line',
    file: [...header(0, 1, TPB), ...chunk('MTrk', [0, 0xff, 0x2f, 1, 0])],
    refused: 'x.mid is not a Standard MIDI File: Expected length for endOfTrack event is 0, got 1',
  },
]

for (const row of rows) {
  test(row.name, () => {
    const bytes = Uint8Array.from(row.file)
    if ('refused' in row) {
      const err = thrown(() => plan(readSmf(bytes, 'x.mid')))
      assert.instance(err, SynchroError)
      assert.equal([err.code, err.message], ['BAD_MIDI_FILE', row.refused])
      return
    }
    const p = plan(readSmf(bytes, 'x.mid'))
    assert.equal(
      p.messages.map((m) => Array.from(m.data)),
      row.messages.map(([, d]) => d),
      'the bytes, in order',
    )
    p.messages.forEach((m, i) => {
      const want = row.messages[i]![0]
      assert.ok(Math.abs(m.ms - want) < 1e-6, `message ${i} at ${m.ms} ms, not ${want} ms`)
    })
    assert.is(p.invalidBytes, row.invalidBytes ?? 0, 'invalid bytes')
  })
}

test('every row that plays is also read the same by midi-file once written back (the table is well formed)', () => {
  // A file midi-file writes from what it parsed is read to the same plan: our walk agrees with its parser.
  for (const row of rows) {
    if ('refused' in row) continue
    const data = readSmf(Uint8Array.from(row.file), 'x.mid')
    const again = readSmf(Uint8Array.from(writeMidi(data)), 'x.mid')
    assert.equal(plan(again), plan(data), row.name)
  }
})

test.run()
