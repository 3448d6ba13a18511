// The ranges written once: each is sane, and the HELLO a rig validates holds exactly them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LIMITS } from '../../src/codec/limits.js'
import { HelloSchema } from '../../src/codec/messages.js'

test('every default lies within its range', () => {
  for (const [name, l] of Object.entries(LIMITS)) {
    assert.ok(l.min <= l.max, `${name}: min <= max`)
    if ('default' in l) assert.ok(l.default >= l.min && l.default <= l.max, `${name}: default ${l.default} in ${l.min}-${l.max}`)
  }
})

const hello = (format: Record<string, number | string>, pingIntervalMs: number = LIMITS.pingIntervalMs.default) => ({
  version: 1,
  serverName: 'foh',
  maxPayload: 512,
  pingIntervalMs,
  format: { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128, ...format },
})

test('HELLO accepts each range at its ends and refuses one step beyond', () => {
  const fields = { rateHz: LIMITS.rateHz, channels: LIMITS.channels, framesPerPacket: LIMITS.framesPerPacket }
  for (const [field, l] of Object.entries(fields)) {
    assert.ok(HelloSchema.safeParse(hello({ [field]: l.min })).success, `${field} ${l.min}`)
    assert.ok(HelloSchema.safeParse(hello({ [field]: l.max })).success, `${field} ${l.max}`)
    assert.not.ok(HelloSchema.safeParse(hello({ [field]: l.min - 1 })).success, `${field} ${l.min - 1}`)
    assert.not.ok(HelloSchema.safeParse(hello({ [field]: l.max + 1 })).success, `${field} ${l.max + 1}`)
  }
  const ping = LIMITS.pingIntervalMs
  assert.ok(HelloSchema.safeParse(hello({}, ping.min)).success)
  assert.not.ok(HelloSchema.safeParse(hello({}, ping.min - 1)).success)
  assert.not.ok(HelloSchema.safeParse(hello({}, ping.max + 1)).success)
})

test.run()
