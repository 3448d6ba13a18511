// Whatever carries media on stdout owns stdout: which flags do, two refused, events moved to stderr.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkStdoutMedia, eventStream, stdoutMedia } from '../../src/cli/stdout-media.js'
import { SynchroError } from '../../src/errors.js'
import { thrown } from '../helpers/thrown.js'

test('raw:- as a sink or a MIDI output writes stdout; files, FIFOs, ports and the log do not', () => {
  assert.equal(stdoutMedia({ sink: 'null', midiOut: ['log', 'raw:/tmp/x', 'file:x.mid', 'port:Synth'] }), [])
  assert.equal(stdoutMedia({ sink: 'raw:-', midiOut: [] }), ['--sink raw:-'])
  assert.equal(stdoutMedia({ midiOut: ['log', 'raw:-'] }), ['--midi-out raw:-'])
  assert.equal(stdoutMedia({ sink: 'raw:-', midiOut: ['raw:-'] }), ['--sink raw:-', '--midi-out raw:-'])
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

test.run()
