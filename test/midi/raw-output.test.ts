// `--midi-out raw:PATH`: the messages as a raw byte stream, each whole, in order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawMidiOutput } from '../../src/midi/raw-output.js'
import { SynchroError } from '../../src/errors.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-raw-midi-out-'))

test('messages back to back, no running status, in order', async () => {
  const path = join(dir, 'out.raw')
  const out = new RawMidiOutput(path)
  assert.is(out.description, `raw MIDI to ${path}`)
  out.send(Uint8Array.of(0x90, 60, 100))
  out.send(Uint8Array.of(0x90, 62, 100))
  out.send(Uint8Array.of(0xf8))
  out.send(Uint8Array.of(0xf0, 0x7d, 1, 0xf7))
  await out.close()
  await out.close()
  assert.is(readFileSync(path).toString('hex'), '903c64903e64f8f07d01f7')
})

test('raw:- is stdout; an unwritable path is MIDI_UNWRITABLE with the reason', () => {
  assert.is(new RawMidiOutput('-').description, 'raw MIDI to stdout')
  const path = join(dir, 'missing', 'x.raw')
  const err = thrown(() => new RawMidiOutput(path))
  assert.instance(err, SynchroError)
  assert.equal([err.code, err.message], ['MIDI_UNWRITABLE', `cannot write MIDI to ${path}: no such file or directory`])
})

test.run()
