import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CompiledRoute, MidiRouteSchema, parseChannelList, parseMapping } from '../../src/midi/route.js'

const m = (...b: number[]) => Uint8Array.of(...b)
const route = (r: unknown) => new CompiledRoute(MidiRouteSchema.parse(r))
const out = (r: CompiledRoute, x: Uint8Array) => {
  const y = r.apply(x)
  return y === null ? null : Array.from(y)
}

test('channel filter passes listed channels and system messages', () => {
  const r = route({ channels: [1, 2, 3, 4] })
  assert.equal(out(r, m(0x93, 60, 1)), [0x93, 60, 1])
  assert.is(out(r, m(0x94, 60, 1)), null)
  assert.equal(out(r, m(0xf8)), [0xf8])
})

test('channel and controller remaps, clock dropped, active sensing dropped by default', () => {
  const r = route({ mapChannel: { '1': 10 }, mapController: { '1': 11 }, clock: false })
  assert.equal(out(r, m(0x90, 60, 1)), [0x99, 60, 1])
  assert.equal(out(r, m(0xb0, 1, 77)), [0xb9, 11, 77])
  assert.equal(out(r, m(0xb1, 1, 77)), [0xb1, 11, 77])
  assert.is(out(r, m(0xf8)), null)
  assert.is(out(r, m(0xfa)), null)
  assert.is(out(r, m(0xfe)), null)
  assert.equal(out(r, m(0xf0, 1, 0xf7)), [0xf0, 1, 0xf7])
})

test('type filter', () => {
  const r = route({ types: ['note-on', 'note-off'] })
  assert.ok(out(r, m(0x90, 1, 1)))
  assert.is(out(r, m(0xb0, 1, 1)), null)
})

test('the identity route passes the same bytes without copying', () => {
  const r = route({})
  const x = m(0x90, 1, 1)
  assert.is(r.apply(x), x)
  assert.ok(r.identity)
})

test('bad routes are refused with the path of the bad field', () => {
  const res = MidiRouteSchema.safeParse({ channels: [1, 17], mapChannel: { '0': 3 } })
  assert.is(res.success, false)
  const paths = res.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  assert.ok(
    paths.some((p) => p === 'channels.1: expected 1-16'),
    paths.join('; '),
  )
  assert.ok(
    paths.some((p) => p.startsWith('mapChannel')),
    paths.join('; '),
  )
  assert.is(MidiRouteSchema.safeParse({ bogus: 1 }).success, false)
})

test('flag parsers', () => {
  assert.equal(parseChannelList('1-4,10'), [1, 2, 3, 4, 10])
  assert.throws(() => parseChannelList('0-3'), /0-3/)
  assert.throws(() => parseChannelList('5-2'), /5-2/)
  assert.equal(parseMapping('1:10', 16, 'channel'), ['1', 10])
  assert.throws(() => parseMapping('1:17', 16, 'channel'), /1:17/)
  assert.equal(parseMapping('0:127', 127, 'controller'), ['0', 127])
})

test.run()
