// The operator's meters: peak and RMS per channel in dBFS, peaks falling back at 20 dB/s,
// RMS averaged over ~300 ms, reading never resetting them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FLOOR_DB, LevelMeter, toDb } from '../../src/audio/levels.js'
import { writeSample } from '../../src/codec/pcm.js'
import type { AudioFormat } from '../../src/codec/format.js'

/** A clock whose time the test moves by hand, synchronously (the meter sets no timers). */
function testTime() {
  let t = 0
  return { now: () => t, setTimeout: () => 0, clearTimeout: () => {}, advance: (ms: number) => void (t += ms) }
}

const show: AudioFormat = { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }

/** A packet with channel 0 a sine of amplitude `a` (phase continuing from frame `from`) and channel 1 silent. */
function sinePacket(a: number, from: number, frames = 128): Uint8Array {
  const pcm = new Uint8Array(frames * 4)
  const view = new DataView(pcm.buffer)
  for (let i = 0; i < frames; i++) writeSample(view, i * 4, 's16le', a * Math.sin((2 * Math.PI * 1000 * (from + i)) / 48000))
  return pcm
}

test('toDb: known values, rounded to 0.1 dB, floored at -90', () => {
  assert.is(toDb(1), 0)
  assert.is(toDb(0.5), -6)
  assert.is(toDb(0.25), -12)
  assert.is(toDb(0.1), -20)
  assert.is(toDb(0), FLOOR_DB)
  assert.is(toDb(-1), FLOOR_DB)
  assert.is(toDb(1e-6), FLOOR_DB, '-120 dB reads as silence')
  assert.is(FLOOR_DB, -90)
})

test("a -6 dBFS sine on ch1, silence on ch2: peak -6.0, RMS -9.0 (a sine's is 3 dB under its peak)", () => {
  const time = testTime()
  const m = new LevelMeter(show, time)
  assert.equal(m.read(), { peakDb: [FLOOR_DB, FLOOR_DB], rmsDb: [FLOOR_DB, FLOOR_DB] }, 'silent before any audio')
  // Two seconds, packet by packet, with time running as it would.
  for (let f = 0; f < 96000; f += 128) {
    m.feed(sinePacket(0.5, f))
    time.advance((128 * 1000) / 48000)
  }
  const l = m.read()
  assert.ok(Math.abs(l.peakDb[0]! + 6) <= 0.1, `peak ${l.peakDb[0]}`)
  assert.ok(Math.abs(l.rmsDb[0]! + 9) <= 0.1, `rms ${l.rmsDb[0]}`)
  assert.equal([l.peakDb[1], l.rmsDb[1]], [FLOOR_DB, FLOOR_DB])
})

test('peaks fall back at 20 dB a second; reading does not reset them', () => {
  const time = testTime()
  const m = new LevelMeter(show, time)
  m.feed(sinePacket(1, 12, 1)) // one frame at sin(pi/2): full scale
  assert.is(m.read().peakDb[0], 0)
  assert.is(m.read().peakDb[0], 0, 'a second read reads the same')
  time.advance(500)
  assert.is(m.read().peakDb[0], -10)
  time.advance(250)
  assert.is(m.read().peakDb[0], -15)
  // A louder packet lifts the peak at once; a quieter one does not lower it.
  m.feed(sinePacket(0.5, 12, 1))
  assert.is(m.read().peakDb[0], -6)
  m.feed(sinePacket(0.1, 12, 1))
  assert.is(m.read().peakDb[0], -6)
})

test('RMS follows over ~300 ms: a 300 ms packet sets it outright, a short one moves it part way', () => {
  const time = testTime()
  const m = new LevelMeter({ ...show, channels: 1 }, time)
  const mono = (a: number, frames: number) => {
    const pcm = new Uint8Array(frames * 2)
    const view = new DataView(pcm.buffer)
    for (let i = 0; i < frames; i++) writeSample(view, i * 2, 's16le', i % 2 ? a : -a) // a square: RMS = peak
    return pcm
  }
  m.feed(mono(0.5, 14400)) // 300 ms
  assert.is(m.read().rmsDb[0], -6)
  m.feed(mono(0, 1440)) // 30 ms of silence: a tenth of the way to it
  // mean square 0.25 * 0.9 = 0.225: 20 log10(sqrt(0.225)) = -6.48 dB
  assert.is(m.read().rmsDb[0], -6.5)
  m.feed(new Uint8Array(1)) // less than a frame: ignored
  assert.is(m.read().rmsDb[0], -6.5)
})

test.run()
