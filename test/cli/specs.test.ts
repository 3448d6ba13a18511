// Source, sink and MIDI specs into objects: each kind opens what it names, and a spec that
// names nothing (or nothing known) is a UsageError with one line saying what would do.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openMidiInput, openMidiOutput, openSink, openSource, type FormatFlags } from '../../src/cli/specs.js'
import { UsageError } from '../../src/errors.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { writeNoiseWav } from '../helpers/wav-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-specs-'))
const clock = new ManualClock()
const flags = (over: Partial<FormatFlags> = {}): FormatFlags => ({
  rateHz: 48000,
  channels: 2,
  format: 's16le',
  explicit: { rateHz: false, channels: false, format: false },
  ...over,
})

function usage(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn()
  } catch (err) {
    assert.instance(err, UsageError)
    assert.is((err as UsageError).code, code)
    assert.match((err as Error).message, message)
    assert.not.match((err as Error).message, /\n/, 'one line')
    return
  }
  assert.unreachable('expected a UsageError')
}

test('tone: 440 Hz by default, a frequency given, refused at or past Nyquist', () => {
  assert.is(openSource('tone', flags(), clock).description, 'tone 440 Hz')
  assert.is(openSource('tone:1000', flags(), clock).description, 'tone 1000 Hz')
  usage(() => openSource('tone:24000', flags(), clock), 'BAD_SOURCE', /between 0 and 24000 Hz \(Nyquist\), got '24000'/)
  usage(() => openSource('tone:loud', flags(), clock), 'BAD_SOURCE', /got 'loud'/)
})

test('wav: the file sets the format; a flag that contradicts it is a clash, a missing path is said', () => {
  const path = join(dir, 'show.wav')
  writeNoiseWav(path, 0.1, { rateHz: 44100 })
  assert.equal(openSource(`wav:${path}`, flags(), clock).format, { rateHz: 44100, channels: 2, format: 's16le' })
  usage(
    () => openSource(`wav:${path}`, flags({ rateHz: 48000, explicit: { rateHz: true, channels: false, format: false } }), clock),
    'FORMAT_CLASH',
    /has rate 44100 but --rate 48000 was given/,
  )
  usage(() => openSource('wav:', flags(), clock), 'BAD_SOURCE', /wav: needs a path/)
})

test("raw and none take the flags' format; an unknown kind lists the kinds", () => {
  writeFileSync(join(dir, 'in.raw'), new Uint8Array(0))
  assert.equal(openSource('none', flags({ channels: 1 }), clock).format, { rateHz: 48000, channels: 1, format: 's16le' })
  usage(() => openSource('raw', flags(), clock), 'BAD_SOURCE', /raw: needs a path or - for stdin/)
  usage(
    () => openSource('mp3:x', flags(), clock),
    'BAD_SOURCE',
    /unknown source 'mp3:x': use tone\[:HZ\], wav:PATH, raw:PATH\|-, device\[:NAME\] or none/,
  )
})

test('sinks: null, raw, wav need what they write to; an unknown kind lists the kinds', () => {
  assert.is(openSink('null').description, 'null (discard)')
  assert.is(openSink('raw:-').description, 'raw stdout')
  usage(() => openSink('wav:-'), 'BAD_SINK', /wav: needs a file path/)
  usage(() => openSink('raw'), 'BAD_SINK', /raw: needs a path or - for stdout/)
  usage(() => openSink('speaker'), 'BAD_SINK', /unknown sink 'speaker': use null, wav:PATH, raw:PATH\|- or device\[:NAME\]/)
})

test('MIDI specs: each kind needs its argument; log stands alone; unknown kinds list the kinds', () => {
  usage(() => openMidiInput('file', clock), 'BAD_MIDI_SPEC', /file: needs a path, e\.g\. --midi-in file:show\.mid/)
  usage(() => openMidiInput('port', clock), 'BAD_MIDI_SPEC', /port: needs a name, e\.g\. --midi-in port:Keys/)
  usage(() => openMidiInput('osc:x', clock), 'BAD_MIDI_SPEC', /unknown MIDI input 'osc:x'/)
  assert.is(openMidiOutput('log', clock, () => {}).description, 'log')
  usage(() => openMidiOutput('log:x', clock, () => {}), 'BAD_MIDI_SPEC', /unknown MIDI output 'log:x'/)
  usage(() => openMidiOutput('raw', clock, () => {}), 'BAD_MIDI_SPEC', /unknown MIDI output 'raw'/)
})

test.run()
