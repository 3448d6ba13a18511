import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Concealer } from '../../src/jitter/concealment.js'

const FORMAT = { rateHz: 48000, channels: 1, format: 's16le' as const, framesPerPacket: 128 }
const toPcm = (x: Float64Array | number[]) => {
  const b = Buffer.alloc(x.length * 2)
  x.forEach((v, i) => b.writeInt16LE(Math.round(v * 32767), i * 2))
  return new Uint8Array(b)
}
const fromPcm = (b: Uint8Array) =>
  Array.from({ length: b.byteLength / 2 }, (_, i) => Buffer.from(b.buffer, b.byteOffset).readInt16LE(i * 2) / 32767)
const tone = (from: number, n: number, hz = 220) =>
  Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * (from + i)) / 48000))
const snrDb = (ref: ArrayLike<number>, got: ArrayLike<number>) => {
  let s = 0
  let e = 0
  for (let i = 0; i < ref.length; i++) {
    s += ref[i]! ** 2
    e += (ref[i]! - got[i]!) ** 2
  }
  return 10 * Math.log10(s / e)
}

function primed() {
  const c = new Concealer(FORMAT)
  for (let k = 0; k < 20; k++) c.played(toPcm(tone(k * 128, 128)))
  return c
}

test('a lost packet of a steady tone is continued far better than silence (0 dB)', () => {
  const c = primed()
  const got = fromPcm(c.conceal(128))
  const snr = snrDb(tone(20 * 128, 128), got)
  assert.ok(snr > 20, `SNR ${snr.toFixed(1)} dB`)
})

test('with the next packet known, the gap ends on it: the last frame is close to what follows', () => {
  const c = primed()
  const next = toPcm(tone(21 * 128, 128))
  const got = fromPcm(c.conceal(128, next, 128))
  const truth = tone(20 * 128, 128)
  assert.ok(Math.abs(got[127]! - truth[127]!) < 0.02, `last concealed ${got[127]} vs ${truth[127]}`)
  assert.ok(snrDb(truth, got) > 20)
})

test('a long gap holds for 10 ms, then fades to silence by 60 ms', () => {
  const c = primed()
  const got = fromPcm(c.conceal(48 * 80))
  const peak = (from: number, to: number) => Math.max(...got.slice(from, to).map(Math.abs))
  assert.ok(peak(0, 480) > 0.45, 'full level for the first 10 ms')
  assert.ok(peak(48 * 30, 48 * 35) < 0.35, 'fading')
  assert.is(peak(48 * 61, 48 * 80), 0, 'silent after 60 ms')
})

test('concealment across calls continues one gap; real audio ends it', () => {
  const c = primed()
  const a = fromPcm(c.conceal(64))
  const b = fromPcm(c.conceal(64))
  const truth = tone(20 * 128, 128)
  assert.ok(snrDb(truth, [...a, ...b]) > 20, 'the two halves are one continuation')
  c.played(toPcm(tone(21 * 128, 128)))
  const again = fromPcm(c.conceal(128))
  assert.ok(snrDb(tone(22 * 128, 128), again) > 20, 'a new gap continues the newest audio')
})

test('with no history the concealment is silence, not garbage', () => {
  const c = new Concealer(FORMAT)
  assert.ok(fromPcm(c.conceal(128)).every((v) => v === 0))
})

test.run()
