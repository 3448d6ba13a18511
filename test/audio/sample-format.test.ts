// What a float-to-integer conversion changed is counted: a float card carrying s16 audio
// converts to s16 with nothing changed; a value between two steps is rounded, one beyond
// full scale clipped, each counted once.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type ConversionCount, convertSamples, fromFloat32 } from '../../src/audio/sample-format.js'

test('every s16 value as a float card carries it (s / 32768) comes back with none changed; to s24 likewise', () => {
  const all = new Uint8Array(65536 * 2)
  const v = new DataView(all.buffer)
  for (let i = 0; i < 65536; i++) v.setInt16(i * 2, i - 32768, true)
  const floats = convertSamples(all, 's16le', 'f32le')
  const count: ConversionCount = { changed: 0 }
  assert.equal(convertSamples(floats, 'f32le', 's16le', count), all)
  convertSamples(floats, 'f32le', 's24le', count)
  assert.is(count.changed, 0)
})

test('rounded and clipped samples are counted, exact ones not', () => {
  const count: ConversionCount = { changed: 0 }
  const out = fromFloat32(new Float32Array([0.5, 0.1, 1.5, -1, -1.25, 0]), 's16le', count)
  assert.equal(Array.from(new Int16Array(out.buffer)), [16384, 3277, 32767, -32768, -32768, 0])
  assert.is(count.changed, 3, '0.1 rounded, 1.5 and -1.25 clipped')
  fromFloat32(new Float32Array([0.1]), 's24le', count)
  assert.is(count.changed, 4)
  fromFloat32(new Float32Array([0.1]), 'f32le', count)
  assert.is(count.changed, 4, 'float to float changes nothing')
})

test.run()
