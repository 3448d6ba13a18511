// `--sink raw:PATH`: the PCM as it came, headerless, byte for byte; an unwritable path is one
// clear line at start.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawSink } from '../../src/audio/raw-sink.js'
import { SynchroError } from '../../src/errors.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-raw-sink-'))

test('writes every packet in order, nothing added; close is idempotent', async () => {
  const path = join(dir, 'out.raw')
  const sink = new RawSink(path)
  assert.is(sink.description, `raw ${path}`)
  sink.open()
  sink.write(Uint8Array.of(1, 2, 3, 4))
  sink.write(new Uint8Array(0))
  sink.write(Uint8Array.of(5, 6, 7, 8))
  await sink.close()
  await sink.close()
  assert.equal(Array.from(readFileSync(path)), [1, 2, 3, 4, 5, 6, 7, 8])
})

test('raw:- is stdout', () => {
  assert.is(new RawSink('-').description, 'raw stdout')
})

test('a path that cannot be written: SINK_UNWRITABLE, the path and the reason in words', () => {
  const err = thrown(() => new RawSink(join(dir, 'no', 'such', 'dir.raw')))
  assert.instance(err, SynchroError)
  assert.is(err.code, 'SINK_UNWRITABLE')
  assert.is(err.message, `cannot write ${join(dir, 'no', 'such', 'dir.raw')}: no such file or directory`)
})

test.run()
