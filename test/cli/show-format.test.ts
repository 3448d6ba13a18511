// The show's format against the wire's limits, checked once before listening: the same
// verdict as the HELLO check a rig applies (src/codec/messages.ts), in one line.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { checkShowFormat } from '../../src/cli/show-format.js'
import { HelloSchema } from '../../src/codec/messages.js'
import { LIMITS } from '../../src/codec/limits.js'
import { UsageError } from '../../src/errors.js'
import type { AudioFormat } from '../../src/codec/format.js'

const base: AudioFormat = { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }
const helloAccepts = (format: AudioFormat): boolean =>
  HelloSchema.safeParse({ version: 1, serverName: 's', format, maxPayload: 1024, pingIntervalMs: 2000 }).success

test('the same verdict as HELLO at and past every edge of rate and channels', () => {
  const cases: AudioFormat[] = [
    base,
    ...[LIMITS.rateHz.min - 1, LIMITS.rateHz.min, LIMITS.rateHz.max, LIMITS.rateHz.max + 1, 4000, 44100.5].map((rateHz) => ({
      ...base,
      rateHz,
    })),
    ...[0, 1, 64, 65].map((channels) => ({ ...base, channels })),
  ]
  for (const f of cases) {
    let refused = false
    try {
      checkShowFormat('x', f)
    } catch {
      refused = true
    }
    assert.is(refused, !helloAccepts(f), `${f.rateHz} Hz ${f.channels} ch`)
  }
})

test('one line naming the source, what it has and what the protocol carries', () => {
  const line = (f: AudioFormat): string => {
    try {
      checkShowFormat('show.wav (4000 Hz, 2 ch, s16le, 1.0 s)', f)
    } catch (err) {
      assert.instance(err, UsageError)
      assert.is((err as UsageError).code, 'SHOW_FORMAT')
      return (err as Error).message
    }
    throw new Error('not refused')
  }
  assert.is(
    line({ ...base, rateHz: 4000 }),
    "show.wav (4000 Hz, 2 ch, s16le, 1.0 s) cannot be the show's audio: it has 4000 Hz, and the protocol carries 8000-384000 Hz (resample it first)",
  )
  assert.match(line({ ...base, channels: 65 }), /it has 65 channels, and the protocol carries 1-64 \(split or mix it down first\)$/)
})

test.run()
