// The chunker turns what a pipe or a card hands over, in any sizes, into packets of exactly
// framesPerPacket frames, the bytes untouched and in order; the tail (whole frames) on flush.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PacketChunker } from '../../src/audio/packet-chunker.js'
import type { AudioFormat } from '../../src/codec/format.js'

const show: AudioFormat = { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 4 } // 16-byte packets
const counting = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => i & 0xff))

function chunk(input: Buffer, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = []
  const c = new PacketChunker(show, (p) => out.push(Uint8Array.from(p)))
  let at = 0
  for (const n of sizes) c.push(input.subarray(at, (at += n)))
  c.flush()
  return out
}

test('whole packets of exactly 16 bytes from pieces of any size, bytes in order', () => {
  const input = counting(40)
  const out = chunk(input, [1, 5, 10, 3, 17, 4])
  assert.equal(
    out.map((p) => p.byteLength),
    [16, 16, 8],
    'two whole packets and an 8-byte tail (two frames)',
  )
  assert.equal(Buffer.concat(out), input)
})

test('every split point of the same input gives the same packets', () => {
  const input = counting(48)
  const whole = chunk(input, [48])
  for (let a = 0; a <= 48; a++) assert.equal(chunk(input, [a, 48 - a]), whole, `split at ${a}`)
})

test('one push holding several packets sends them all, as views of what was pushed', () => {
  const input = counting(64)
  const views: Uint8Array[] = []
  const c = new PacketChunker(show, (p) => views.push(p))
  c.push(input)
  assert.is(views.length, 4)
  assert.ok(
    views.every((v) => v.buffer === input.buffer),
    'no copy when a packet sits inside one chunk',
  )
})

test('flush keeps whole frames only and then starts afresh', () => {
  const out: Uint8Array[] = []
  const c = new PacketChunker(show, (p) => out.push(Uint8Array.from(p)))
  c.push(counting(7)) // one frame (4 bytes) and 3 bytes of the next
  c.flush()
  assert.equal(out, [Uint8Array.of(0, 1, 2, 3)], 'the partial frame is not audio')
  c.flush()
  assert.is(out.length, 1, 'nothing left after a flush')
  c.push(counting(16))
  assert.equal(out[1], Uint8Array.from(counting(16)), 'the stray 3 bytes did not carry over')
})

test.run()
