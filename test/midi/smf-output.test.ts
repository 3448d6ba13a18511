// `--midi-out file:`: what arrived, when it arrived (0.5 ms ticks from the first message),
// as a format-0 Standard MIDI File written at close; real-time bytes as F7 escapes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseMidi } from 'midi-file'
import { SmfMidiOutput } from '../../src/midi/smf-output.js'
import { SynchroError } from '../../src/errors.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { SmfInput } from '../../src/midi/smf-input.js'
import { clockedShow, readMid } from '../helpers/midi-fixtures.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-smf-out-'))

test('every channel message and a sysex round-trip with their times, from the first message on', async () => {
  const clock = new ManualClock()
  await clock.advance(1234) // the show's clock is not at zero: the file starts at the first message
  const path = join(dir, 'take.mid')
  const out = new SmfMidiOutput(path, clock)
  assert.is(out.description, `MIDI file ${path}`)
  const played: Array<[number, number[]]> = [
    [0, [0x90, 60, 100]],
    [10, [0x80, 60, 64]],
    [12.5, [0xa1, 61, 30]],
    [100, [0xb2, 7, 90]],
    [100, [0xc3, 5]],
    [250, [0xd4, 40]],
    [251, [0xe5, 0x00, 0x40]],
    [300, [0xe6, 0x7f, 0x7f]],
    [1000.5, [0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7]],
  ]
  let at = 0
  for (const [ms, data] of played) {
    await clock.advance(ms - at)
    at = ms
    out.send(Uint8Array.from(data))
  }
  await out.close()
  const back = readMid(readFileSync(path))
  assert.equal(
    back.map((m) => Array.from(m.data)),
    played.map(([, d]) => d),
  )
  assert.equal(
    back.map((m) => m.ms),
    played.map(([ms]) => ms),
    'times to the 0.5 ms tick',
  )
})

test("the file's header: format 0, one track, 1000 ticks a beat at 120 bpm; real-time bytes as F7 escapes", async () => {
  const clock = new ManualClock()
  const path = join(dir, 'clock.mid')
  const out = new SmfMidiOutput(path, clock)
  out.send(Uint8Array.of(0xfa))
  await clock.advance(20.8) // rounds to 21 ms: 42 ticks
  out.send(Uint8Array.of(0xf8))
  await out.close()
  const smf = parseMidi(readFileSync(path))
  assert.equal(smf.header, { format: 0, numTracks: 1, ticksPerBeat: 1000 })
  const [tempo, start, tick, end] = smf.tracks[0]!
  assert.equal(tempo, { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: 500_000 })
  assert.equal([start!.type, start!.deltaTime, Array.from((start as unknown as { data: number[] }).data)], ['endSysEx', 0, [0xfa]])
  assert.equal([tick!.type, tick!.deltaTime, Array.from((tick as unknown as { data: number[] }).data)], ['endSysEx', 42, [0xf8]])
  assert.is(end!.type, 'endOfTrack')
})

test('a recording of a clocked show replays to the same messages: same bytes, same order, within a tick (0.5 ms)', async () => {
  const show = clockedShow(8, 120)
  assert.is(show.length, 8 * 24 + 8 * 2 + 6, '192 clocks, 16 notes, position, start, stop, position, MTC, sysex')
  const clock = new ManualClock()
  const path = join(dir, 'clocked.mid')
  const out = new SmfMidiOutput(path, clock)
  let at = 0
  for (const m of show) {
    await clock.advance(m.ms - at)
    at = m.ms
    out.send(m.data)
  }
  await out.close()
  const back = new SmfInput(path, new ManualClock())
  assert.equal(
    back.messages.map((m) => Array.from(m.data)),
    show.map((m) => Array.from(m.data)),
  )
  const worstMs = Math.max(...back.messages.map((m, i) => Math.abs(m.ms - show[i]!.ms)))
  assert.ok(worstMs <= 0.25, `every message within half a tick of its time (worst ${worstMs.toFixed(3)} ms)`)
  assert.is(back.invalidBytes, 0)
})

test('the bytes are copied: a caller reusing its buffer does not change the recording', async () => {
  const clock = new ManualClock()
  const path = join(dir, 'copy.mid')
  const out = new SmfMidiOutput(path, clock)
  const buf = Uint8Array.of(0x90, 60, 100)
  out.send(buf)
  buf.set([0x80, 61, 0])
  await out.close()
  assert.equal(Array.from(readMid(readFileSync(path))[0]!.data), [0x90, 60, 100])
})

test('an unwritable path fails at once, not at the end of the show: MIDI_UNWRITABLE', () => {
  const path = join(dir, 'missing', 'x.mid')
  const err = thrown(() => new SmfMidiOutput(path, new ManualClock()))
  assert.instance(err, SynchroError)
  assert.equal([err.code, err.message], ['MIDI_UNWRITABLE', `cannot write ${path}: no such file or directory`])
})

test('an empty recording is still a valid file', async () => {
  const path = join(dir, 'empty.mid')
  const out = new SmfMidiOutput(path, new ManualClock())
  assert.is(readFileSync(path).length, 0, 'created empty at start')
  await out.close()
  assert.equal(readMid(readFileSync(path)), [])
})

test.run()
