// Formats and the one place ms and frames convert: exact one way, rounded to whole frames the other.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bytesPerFrame, bytesPerSample, codecOf, formatOfCodec, framesToMs, msToFrames, SAMPLE_FORMATS } from '../../src/codec/format.js'

test('framesToMs: exact, the same arithmetic the pacers and the show clock used inline', () => {
  assert.is(framesToMs(48000, 48000), 1000)
  assert.is(framesToMs(128, 48000), (128 * 1000) / 48000)
  assert.is(framesToMs(441, 44100), 10)
  assert.is(framesToMs(0, 96000), 0)
})

test('msToFrames: rounded to the nearest whole frame', () => {
  assert.is(msToFrames(2.5, 48000), 120)
  assert.is(msToFrames(2.5, 44100), 110) // 110.25
  assert.is(msToFrames(0.01, 48000), 0) // 0.48
  assert.is(msToFrames(0.0105, 48000), 1) // 0.504
  assert.is(msToFrames(-10, 48000), -480)
  for (const frames of [1, 127, 128, 4096]) assert.is(msToFrames(framesToMs(frames, 44100), 44100), frames)
})

test('sizes and codec ids of every sample format', () => {
  assert.equal(SAMPLE_FORMATS.map(bytesPerSample), [2, 3, 4])
  assert.is(bytesPerFrame({ channels: 2, format: 's24le' }), 6)
  for (const f of SAMPLE_FORMATS) assert.is(formatOfCodec(codecOf(f)), f)
  assert.is(formatOfCodec(0), undefined)
})

test.run()
