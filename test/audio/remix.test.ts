import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { remix } from '../../src/audio/remix.js'

const s16 = (...v: number[]) => {
  const b = Buffer.alloc(v.length * 2)
  v.forEach((x, i) => b.writeInt16LE(x, i * 2))
  return new Uint8Array(b)
}
const read16 = (u: Uint8Array) => Array.from({ length: u.byteLength / 2 }, (_, i) => Buffer.from(u.buffer, u.byteOffset).readInt16LE(i * 2))

test('stereo to mono averages, so full-scale L and R never clip', () => {
  assert.equal(read16(remix(s16(1000, 3000, 32767, 32767, -32768, 0), 's16le', 2, 1)), [2000, 32767, -16384])
})

test('mono to stereo copies the channel to both', () => {
  assert.equal(read16(remix(s16(5, -7), 's16le', 1, 2)), [5, 5, -7, -7])
})

test('four channels onto two fold c mod 2; same count returns the same bytes', () => {
  assert.equal(read16(remix(s16(100, 200, 300, 400), 's16le', 4, 2)), [200, 300])
  const x = s16(1, 2)
  assert.is(remix(x, 's16le', 2, 2), x)
})

test('float and 24-bit samples remix in their own format', () => {
  const f = new Float32Array([0.5, -0.25])
  const out = new Float32Array(remix(new Uint8Array(f.buffer), 'f32le', 2, 1).buffer)
  assert.ok(Math.abs(out[0]! - 0.125) < 1e-6)
  const s24 = Uint8Array.of(0x00, 0x00, 0x40, 0x00, 0x00, 0x40) // 0.5 and 0.5
  assert.equal(Array.from(remix(s24, 's24le', 2, 1)), [0x00, 0x00, 0x40])
})

test.run()
