// The one place samples are read and written: integer s16/s24 at every edge value, sign
// extension, wrapping, views with an offset; and the float paths on top of them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readS16, readS24, readSample, writeS16, writeS24, writeSample } from '../../src/codec/pcm.js'

const view = (bytes: number[] | Uint8Array): DataView => {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

test('readS24: edge values and sign extension from bit 23', () => {
  const cases: Array<[number[], number]> = [
    [[0x00, 0x00, 0x00], 0],
    [[0x01, 0x00, 0x00], 1],
    [[0xff, 0xff, 0xff], -1],
    [[0xff, 0xff, 0x7f], 8388607],
    [[0x00, 0x00, 0x80], -8388608],
    [[0x01, 0x00, 0x80], -8388607],
    [[0x00, 0x80, 0x00], 32768],
    [[0x00, 0x00, 0xff], -65536],
    [[0x56, 0x34, 0x12], 0x123456],
  ]
  for (const [bytes, value] of cases) assert.is(readS24(view(bytes), 0), value, bytes.map((b) => b.toString(16)).join(' '))
})

test('writeS24: little-endian, low 24 bits; out of range wraps rather than clips', () => {
  const cases: Array<[number, number[]]> = [
    [0, [0, 0, 0]],
    [-1, [0xff, 0xff, 0xff]],
    [8388607, [0xff, 0xff, 0x7f]],
    [-8388608, [0x00, 0x00, 0x80]],
    [0x123456, [0x56, 0x34, 0x12]],
    [8388608, [0x00, 0x00, 0x80]],
    [0x1000001, [0x01, 0x00, 0x00]],
  ]
  for (const [value, bytes] of cases) {
    const out = new Uint8Array(3)
    writeS24(view(out), 0, value)
    assert.equal([...out], bytes, String(value))
  }
})

test('s24 round trip of every value; s16 of all 65,536', () => {
  const b = new Uint8Array(3)
  const v = view(b)
  for (let x = -8388608; x <= 8388607; x++) {
    writeS24(v, 0, x)
    if (readS24(v, 0) !== x) assert.unreachable(`s24 ${x} came back as ${readS24(v, 0)}`)
  }
  const s = new DataView(new ArrayBuffer(2))
  for (let x = -32768; x <= 32767; x++) {
    writeS16(s, 0, x)
    if (readS16(s, 0) !== x) assert.unreachable(`s16 ${x} came back as ${readS16(s, 0)}`)
  }
})

test('readS16/writeS16: little-endian, edge values, wrapping', () => {
  assert.equal([readS16(view([0xff, 0x7f]), 0), readS16(view([0x00, 0x80]), 0), readS16(view([0xff, 0xff]), 0)], [32767, -32768, -1])
  const out = new Uint8Array(2)
  writeS16(view(out), 0, 32768)
  assert.equal([...out], [0x00, 0x80])
  writeS16(view(out), 0, -2)
  assert.equal([...out], [0xfe, 0xff])
})

test('offsets: into the view, and a view that starts inside its buffer', () => {
  const backing = new Uint8Array([9, 9, 9, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 9])
  const v = view(backing.subarray(3, 9))
  assert.equal([readS24(v, 0), readS24(v, 3)], [8388607, -8388608])
  writeS24(v, 3, 1)
  writeS16(v, 0, -1)
  assert.equal([...backing], [9, 9, 9, 0xff, 0xff, 0x7f, 0x01, 0x00, 0x00, 9], 'nothing outside the samples is touched')
})

test('float paths keep their scaling: read by 2^15 / 2^23, written by 2^15 - 1 / 2^23 - 1, clipped to [-1, 1]', () => {
  assert.is(readSample(view([0x00, 0x80]), 0, 's16le'), -1)
  assert.is(readSample(view([0x00, 0x40]), 0, 's16le'), 0.5)
  assert.is(readSample(view([0x00, 0x00, 0x80]), 0, 's24le'), -1)
  assert.is(readSample(view([0xff, 0xff, 0x7f]), 0, 's24le'), 8388607 / 8388608)
  const s16 = new DataView(new ArrayBuffer(2))
  const s24 = new DataView(new ArrayBuffer(3))
  const f32 = new DataView(new ArrayBuffer(4))
  for (const [x, i16, i24] of [
    [1, 32767, 8388607],
    [-1, -32767, -8388607],
    [2, 32767, 8388607],
    [-3, -32767, -8388607],
    [0.5, 16384, 4194304],
    [0, 0, 0],
  ] as const) {
    writeSample(s16, 0, 's16le', x)
    writeSample(s24, 0, 's24le', x)
    writeSample(f32, 0, 'f32le', x)
    assert.equal([readS16(s16, 0), readS24(s24, 0), f32.getFloat32(0, true)], [i16, i24, Math.max(-1, Math.min(1, x))], String(x))
  }
})

test.run()
