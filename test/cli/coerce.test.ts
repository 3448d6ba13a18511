// Option types: a flag's string and a profile's number coerce alike; a bad one is the line the operator reads.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { z } from 'zod'
import { checkOptions, choice, decimal, deviceBuffer, flagName, optionName, optionsFromFlags, wholeNumber } from '../../src/cli/coerce.js'
import { UsageError } from '../../src/errors.js'

const Schema = z.object({
  frames: wholeNumber('frames', { min: 16, max: 16384 }),
  duration: decimal('duration', { min: 0.001, max: 10 }).optional(),
  format: choice('format', ['s16le', 's24le'] as const),
  deviceBuffer: deviceBuffer(),
})
const ok = { frames: '128', format: 's16le', deviceBuffer: 128 }

function line(input: Record<string, unknown>): string {
  try {
    checkOptions(Schema, { ...ok, ...input })
  } catch (err) {
    assert.instance(err, UsageError)
    return (err as Error).message
  }
  assert.unreachable('accepted')
  return ''
}

test('strings (flags) and numbers (profiles) give the same typed options', () => {
  const fromFlags = checkOptions(Schema, { ...ok, frames: ' 64 ', duration: '0.5', deviceBuffer: '2.5ms' })
  const fromProfile = checkOptions(Schema, { ...ok, frames: 64, duration: 0.5, deviceBuffer: 256 })
  assert.equal(fromFlags, { frames: 64, duration: 0.5, format: 's16le', deviceBuffer: { ms: 2.5 } })
  assert.equal([fromProfile.frames, fromProfile.duration, fromProfile.deviceBuffer], [64, 0.5, { frames: 256 }])
  assert.equal(checkOptions(Schema, ok).deviceBuffer, { frames: 128 })
})

test('each bad value is one line naming the flag', () => {
  assert.is(line({ frames: 'abc' }), "--frames must be a whole number, got 'abc'")
  assert.is(line({ frames: '1e3' }), "--frames must be a whole number, got '1e3'")
  assert.is(line({ frames: 12.5 }), "--frames must be a whole number, got '12.5'")
  assert.is(line({ frames: '3' }), '--frames must be between 16 and 16384, got 3')
  assert.is(line({ frames: 20000 }), '--frames must be between 16 and 16384, got 20000')
  assert.is(line({ duration: ' ' }), "--duration must be a number, got ' '")
  assert.is(line({ duration: 'soon' }), "--duration must be a number, got 'soon'")
  assert.is(line({ duration: '11' }), '--duration must be between 0.001 and 10, got 11')
  assert.is(line({ format: 'mp3' }), "--format must be one of s16le, s24le, got 'mp3'")
  assert.is(line({ deviceBuffer: '1s' }), "--device-buffer must be frames (128) or milliseconds (2.5ms), got '1s'")
  assert.is(line({ frames: 'x', format: 'mp3' }), "--frames must be a whole number, got 'x'", 'the first problem, in schema order')
})

test('flag and option names', () => {
  assert.is(flagName('pingMs'), 'ping-ms')
  assert.is(flagName('midiMapCc'), 'midi-map-cc')
  assert.is(optionName('device-buffer'), 'deviceBuffer')
  assert.is(optionName('json'), 'json')
  assert.equal(optionsFromFlags({ 'ping-ms': '100', json: true, port: undefined }), { pingMs: '100', json: true })
})

test.run()
