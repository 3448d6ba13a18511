// Delivery on a manual clock: at once by default; with --midi-jitter at show time plus the
// delay, in order; releaseAll sends what is scheduled, then note-offs for what is held.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ManualClock } from '../helpers/manual-clock.js'
import { MidiDelivery } from '../../src/midi/delivery.js'
import { CompiledRoute, PASS_ALL } from '../../src/midi/route.js'
import { ShowClockMap } from '../../src/midi/show-clock.js'
import type { MidiOutput } from '../../src/midi/endpoint.js'

function recorder(clock: ManualClock) {
  const got: Array<[number, number[]]> = []
  const out: MidiOutput = { description: 'test', send: (d) => void got.push([clock.now(), Array.from(d)]), close: async () => {} }
  return { got, out }
}
const msg = (position: number, ...data: number[]) => ({ position, data: Uint8Array.from(data) })

test('by default a message goes out the moment it arrives', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const d = new MidiDelivery({ outputs: [out], route: new CompiledRoute(PASS_ALL), clock })
  await clock.advance(5)
  d.deliver([msg(0, 0x90, 60, 1)])
  assert.equal(got, [[5, [0x90, 60, 1]]])
})

test('--midi-jitter: each message at its show time plus the delay, whatever the network did', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new ShowClockMap(48000)
  const d = new MidiDelivery({ outputs: [out], route: new CompiledRoute(PASS_ALL), clock, jitterMs: 10, showClock: map })
  // Position 0 arrived at t=100 over the fastest path: show time 0 is local 100.
  map.observe(0, 100)
  await clock.advance(100)
  // Three notes 5 ms apart in show time (240 frames), arriving with 0, 4 and 1 ms of extra delay.
  await clock.advance(0)
  d.deliver([msg(0, 0x90, 1, 1)])
  await clock.advance(9)
  d.deliver([msg(240, 0x90, 2, 1)])
  await clock.advance(2)
  d.deliver([msg(480, 0x90, 3, 1)])
  await clock.advance(30)
  assert.equal(
    got.map(([t, d]) => [t, d[1]]),
    [
      [110, 1],
      [115, 2],
      [120, 3],
    ],
  )
})

test('order is kept even when a later message is due earlier', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new ShowClockMap(48000)
  map.observe(4800, 0) // show time 100 ms is local 0
  const d = new MidiDelivery({ outputs: [out], route: new CompiledRoute(PASS_ALL), clock, jitterMs: 5, showClock: map })
  d.deliver([msg(4800 + 480, 0x90, 1, 1), msg(4800, 0x80, 1, 0)])
  await clock.advance(20)
  assert.equal(
    got.map(([, d]) => d[0]),
    [0x90, 0x80],
  )
})

test('releaseAll flushes what is scheduled, then releases held notes and pedals', () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new ShowClockMap(48000)
  map.observe(0, 0)
  const d = new MidiDelivery({ outputs: [out], route: new CompiledRoute(PASS_ALL), clock, jitterMs: 50, showClock: map })
  d.deliver([msg(0, 0x90, 60, 100), msg(0, 0xb0, 64, 127)])
  assert.equal(got, [])
  d.releaseAll()
  assert.equal(
    got.map(([, x]) => x),
    [
      [0x90, 60, 100],
      [0xb0, 64, 127],
      [0x80, 60, 0],
      [0xb0, 64, 0],
    ],
  )
  assert.is(d.released, 2)
  assert.is(d.heldNotes, 0)
})

test.run()
