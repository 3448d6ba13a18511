// Level meters on a manual clock: a peak holds its value when read, and falls back at
// 20 dB/s with the clock's time, whether or not audio comes; RMS averages over ~300 ms.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FLOOR_DB, LevelMeter, toDb } from '../../src/audio/levels.js'
import { writeSample } from '../../src/codec/pcm.js'
import { ManualClock } from '../helpers/manual-clock.js'

const FORMAT = { rateHz: 48000, channels: 2, format: 's16le' as const, framesPerPacket: 480 }

/** One packet: a constant `amplitude` on channel 1, silence on channel 2. */
function packet(amplitude: number, frames = 480): Uint8Array {
  const out = new Uint8Array(frames * 4)
  const v = new DataView(out.buffer)
  for (let i = 0; i < frames; i++) writeSample(v, i * 4, 's16le', amplitude)
  return out
}

test('a peak falls back 20 dB per second of the clock, and reading does not reset it', async () => {
  const clock = new ManualClock()
  const meter = new LevelMeter(FORMAT, clock)
  meter.feed(packet(0.5))
  assert.equal(meter.read().peakDb, [-6, FLOOR_DB])
  assert.equal(meter.read().peakDb, [-6, FLOOR_DB], 'a second read, no time passed: the same')
  await clock.advance(500)
  assert.equal(meter.read().peakDb, [-16, FLOOR_DB])
  await clock.advance(1000)
  assert.equal(meter.read().peakDb, [-36, FLOOR_DB])
  meter.feed(packet(0.25))
  assert.equal(meter.read().peakDb, [-12, FLOOR_DB], 'a new, louder peak replaces the fallen one')
})

test('RMS rises towards a steady tone with a ~300 ms time constant, and settles on it', () => {
  const meter = new LevelMeter(FORMAT, new ManualClock())
  for (let i = 0; i < 10; i++) meter.feed(packet(0.5))
  assert.ok(meter.read().rmsDb[0]! < -9, 'after 100 ms it is still rising')
  for (let i = 0; i < 290; i++) meter.feed(packet(0.5))
  assert.equal(meter.read().rmsDb, [-6, FLOOR_DB])
  assert.equal([toDb(0), toDb(1), toDb(1e-9)], [FLOOR_DB, 0, FLOOR_DB])
})

test.run()
