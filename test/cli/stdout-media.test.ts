// Whatever carries media on stdout owns stdout: which flags do, two refused, events moved to stderr.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkStdoutMedia, eventStream, stdoutMedia } from '../../src/cli/stdout-media.js'
import { SynchroError } from '../../src/errors.js'
import { thrown } from '../helpers/thrown.js'
import { JOIN_HELP } from '../../src/cli/join-options.js'
import { SERVE_HELP } from '../../src/cli/serve-options.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

test('raw:- as a sink or a MIDI output writes stdout; files, FIFOs, ports and the log do not', () => {
  assert.equal(stdoutMedia({ sink: 'null', midiOut: ['log', 'raw:/tmp/x', 'file:x.mid', 'port:Synth'] }), [])
  assert.equal(stdoutMedia({ sink: 'raw:-', midiOut: [] }), ['--sink raw:-'])
  assert.equal(stdoutMedia({ midiOut: ['log', 'raw:-'] }), ['--midi-out raw:-'])
  assert.equal(stdoutMedia({ sink: 'raw:-', midiOut: ['raw:-'] }), ['--sink raw:-', '--midi-out raw:-'])
  // Descriptor 1 by another name is stdout too.
  assert.equal(stdoutMedia({ midiOut: ['raw:/dev/stdout'] }), ['--midi-out raw:/dev/stdout'])
  assert.equal(stdoutMedia({ sink: 'raw:/proc/self/fd/1', midiOut: ['raw:/dev/fd/1'] }), [
    '--sink raw:/proc/self/fd/1',
    '--midi-out raw:/dev/fd/1',
  ])
  assert.equal(stdoutMedia({ sink: 'raw:/dev/stdout.raw', midiOut: ['raw:/dev/stderr'] }), [])
})

test('one medium on stdout is fine; two are one line saying which', () => {
  checkStdoutMedia([])
  checkStdoutMedia(['--midi-out raw:-'])
  const err = thrown(() => checkStdoutMedia(['--sink raw:-', '--midi-out raw:-']))
  assert.instance(err, SynchroError)
  assert.equal(
    [err.code, err.message],
    ['BAD_FLAG', '--sink raw:- and --midi-out raw:- all write stdout: give all but one a file or FIFO path'],
  )
})

test('events go to stderr when media owns stdout, else to stdout', () => {
  assert.is(eventStream([]), process.stdout)
  assert.is(eventStream(['--midi-out raw:-']), process.stderr)
})

test("documented: join's and serve's --help and the README's --json rows name --midi-out raw:-; docs/MIDI.md says who owns stdout", () => {
  const flat = (t: string): string => t.replace(/\s+/g, ' ')
  assert.match(flat(JOIN_HELP), /--json one JSON event per line \(on stderr when --sink raw:- or --midi-out raw:- puts media on stdout\)/)
  assert.match(flat(SERVE_HELP), /--json one JSON event per line on stdout \(on stderr when --midi-out raw:- puts rigs' MIDI there\)/)
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const jsonRows = readme.split('\n').filter((l) => l.startsWith('| `--json` |'))
  assert.is(jsonRows.length, 2, 'one --json row per command')
  for (const row of jsonRows) assert.match(row, /on stderr when .*`--midi-out raw:-`/)
  const midiDoc = flat(readFileSync(join(root, 'docs', 'MIDI.md'), 'utf8'))
  assert.match(midiDoc, /### Raw pipes own stdout/)
  assert.match(midiDoc, /stdout holds exactly the MIDI bytes, and the events, as lines or `--json`, go to stderr/)
})

test.run()
