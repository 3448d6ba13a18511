// Delivery on a manual clock with a fake show-time map (1 frame = 1 ms, leaving `atMs` after
// show position 0): at its show time by the map, in order, late ones at once and counted,
// at once in immediate mode or while the map has no answer; releaseAll sends what is
// scheduled, then note-offs for what is held.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ManualClock } from '../helpers/manual-clock.js'
import { MidiDelivery, type MidiDeliveryOptions } from '../../src/midi/delivery.js'
import { CompiledRoute, MidiRouteSchema, PASS_ALL } from '../../src/midi/route.js'
import type { MidiOutput } from '../../src/midi/endpoint.js'
import type { ShowTimeMap } from '../../src/sync/show-time.js'

function recorder(clock: ManualClock) {
  const got: Array<[number, number[]]> = []
  const out: MidiOutput = { description: 'test', send: (d) => void got.push([clock.now(), Array.from(d)]), close: async () => {} }
  return { got, out }
}
const msg = (position: number, ...data: number[]) => ({ position, data: Uint8Array.from(data) })

/** Show position P leaves at local time zeroMs + P (a rate of 1 kHz); undefined while zeroMs is. */
class FakeShowTime implements ShowTimeMap {
  constructor(public zeroMs: number | undefined) {}
  localTimeOf(position: number): number | undefined {
    return this.zeroMs === undefined ? undefined : this.zeroMs + position
  }
  positionAt(localMs: number): number | undefined {
    return this.zeroMs === undefined ? undefined : Math.floor(localMs - this.zeroMs)
  }
}

function delivery(clock: ManualClock, out: MidiOutput, over: Partial<MidiDeliveryOptions> = {}) {
  return new MidiDelivery({ outputs: [out], route: new CompiledRoute(PASS_ALL), clock, ...over })
}

test('immediate (the default): a message goes out the moment it arrives, whatever its show time', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(100)
  const d = delivery(clock, out, { timing: 'immediate', showTime: () => map })
  await clock.advance(5)
  d.deliver([msg(0, 0x90, 60, 1)])
  assert.equal(got, [[5, [0x90, 60, 1]]])
  assert.is(d.late, 0)
})

test('show: each message leaves at the local time the map gives its show position, whatever the network did', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(100)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  // Three notes 5 ms apart in show time, arriving at 20, 29 and 31 ms (jitter of 0, 4 and 1 ms).
  await clock.advance(20)
  d.deliver([msg(0, 0x90, 1, 1)])
  await clock.advance(9)
  d.deliver([msg(5, 0x90, 2, 1)])
  await clock.advance(2)
  d.deliver([msg(10, 0x90, 3, 1)])
  assert.equal(got, [], 'nothing before its time')
  await clock.advance(99 - 31)
  assert.equal(got, [], 'not a millisecond early')
  await clock.advance(30)
  assert.equal(
    got.map(([t, x]) => [t, x[1]]),
    [
      [100, 1],
      [105, 2],
      [110, 3],
    ],
  )
  assert.is(d.late, 0)
})

test('show: the map is asked for each message, so one that comes after the first message is used', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  let map: ShowTimeMap | undefined
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  d.deliver([msg(0, 0x90, 1, 1)])
  assert.equal(got, [[0, [0x90, 1, 1]]], 'no map yet: at once')
  map = new FakeShowTime(50)
  d.deliver([msg(0, 0x90, 2, 1)])
  await clock.advance(60)
  assert.equal(got, [
    [0, [0x90, 1, 1]],
    [50, [0x90, 2, 1]],
  ])
})

test('show: while the map has no answer (no clock or timeline yet) a message goes at once', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(undefined)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  await clock.advance(3)
  d.deliver([msg(1000, 0x90, 1, 1)])
  assert.equal(got, [[3, [0x90, 1, 1]]])
  assert.is(d.late, 0, 'not late: it had no time to be late for')
})

test('show: a message whose time has passed goes at once and is counted late', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(0)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  await clock.advance(40)
  d.deliver([msg(30, 0x90, 1, 1), msg(40, 0x90, 2, 1), msg(45, 0x90, 3, 1)])
  assert.equal(got, [
    [40, [0x90, 1, 1]],
    [40, [0x90, 2, 1]],
  ])
  assert.is(d.late, 1, 'due 10 ms ago: late; due now: in time')
  await clock.advance(5)
  assert.equal(got.at(-1), [45, [0x90, 3, 1]])
})

test('show: order is kept, never before an earlier message, even when a later one is due earlier or late', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(0)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  await clock.advance(10)
  // A note-on due at 15, then its note-off stamped earlier (due at 12), then one already late.
  d.deliver([msg(15, 0x90, 1, 1), msg(12, 0x80, 1, 0), msg(2, 0xb0, 7, 100)])
  assert.equal(got, [])
  await clock.advance(10)
  assert.equal(got, [
    [15, [0x90, 1, 1]],
    [15, [0x80, 1, 0]],
    [15, [0xb0, 7, 100]],
  ])
  assert.is(d.late, 1)
  // While the map has no answer, a message still waits behind what is queued.
  map.zeroMs = 0
  d.deliver([msg(30, 0x90, 2, 1)])
  map.zeroMs = undefined
  d.deliver([msg(0, 0x80, 2, 0)])
  await clock.advance(20)
  assert.equal(got.slice(3), [
    [30, [0x90, 2, 1]],
    [30, [0x80, 2, 0]],
  ])
})

test('the route applies before the timing; a filtered message is neither sent nor counted', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(0)
  const route = new CompiledRoute(MidiRouteSchema.parse({ channels: [1] }))
  const d = new MidiDelivery({ outputs: [out], route, clock, timing: 'show', showTime: () => map })
  await clock.advance(10)
  d.deliver([msg(0, 0x91, 1, 1), msg(20, 0x90, 2, 1)])
  await clock.advance(20)
  assert.equal(got, [[20, [0x90, 2, 1]]])
  assert.is(d.late, 0)
  assert.is(d.messagesOut, 1)
})

test('releaseAll flushes what is scheduled, then releases held notes and pedals; nothing fires afterwards', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(50)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
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
  await clock.advance(100)
  assert.is(got.length, 4, 'the flushed messages are not sent again at their time')
  assert.is(clock.pendingTimers, 0)
})

test('whenSent resolves once the queue is empty: at once when nothing waits, else when the last message leaves or is flushed', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(0)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  let sent = 0
  await d.whenSent().then(() => sent++)
  assert.is(sent, 1)
  d.deliver([msg(10, 0x90, 1, 1), msg(20, 0x80, 1, 0)])
  void d.whenSent().then(() => sent++)
  await clock.advance(15)
  assert.is(sent, 1, 'one still to go')
  await clock.advance(5)
  assert.is(sent, 2)
  assert.equal(got.at(-1), [20, [0x80, 1, 0]])
  d.deliver([msg(50, 0x90, 2, 1)])
  void d.whenSent().then(() => sent++)
  d.releaseAll()
  await clock.advance(0)
  assert.is(sent, 3, 'a flush empties the queue too')
})

test('sendNow (the panic) flushes what is scheduled first, then goes out at once', async () => {
  const clock = new ManualClock()
  const { got, out } = recorder(clock)
  const map = new FakeShowTime(50)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  d.deliver([msg(0, 0x90, 60, 100)])
  d.sendNow([Uint8Array.of(0xb0, 123, 0)])
  assert.equal(
    got.map(([t, x]) => [t, x[0]]),
    [
      [0, 0x90],
      [0, 0xb0],
    ],
  )
})

/**
 * An output with a scheduler of its own, in memory: what is handed over with its time, what
 * is sent at once, and the order of both as one log ('at' / 'send' / 'flush').
 */
function scheduledOutput() {
  const log: Array<[string, number[], number?]> = []
  let written: () => void = () => {}
  const scheduler = {
    at: (d: Uint8Array, atMs: number) => {
      log.push(['at', Array.from(d), atMs])
      return true
    },
    flush: () => void log.push(['flush', []]),
    whenWritten: () => new Promise<void>((resolve) => (written = resolve)),
  }
  const out: MidiOutput = {
    description: 'scheduled',
    send: (d) => void log.push(['send', Array.from(d)]),
    scheduler: () => scheduler,
    close: async () => {},
  }
  return { log, out, allWritten: () => written() }
}

test('show, an output that times messages itself: each is handed over at once with its time, in order', async () => {
  const clock = new ManualClock()
  const { log, out } = scheduledOutput()
  const map = new FakeShowTime(100)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  await clock.advance(20)
  d.deliver([msg(0, 0x90, 1, 1), msg(5, 0x90, 2, 1)])
  // One due earlier than the message before it: never before that one.
  d.deliver([msg(3, 0x80, 1, 0)])
  assert.equal(log, [
    ['at', [0x90, 1, 1], 100],
    ['at', [0x90, 2, 1], 105],
    ['at', [0x80, 1, 0], 105],
  ])
  assert.is(clock.pendingTimers, 0, 'no timer on this thread')
  assert.is(d.messagesOut, 3)
  assert.is(d.heldNotes, 1, 'what is held is tracked as it is handed over')
})

test('show, self-timed output: releaseAll flushes the scheduler first, then sends the releases behind it', async () => {
  const clock = new ManualClock()
  const { log, out } = scheduledOutput()
  const map = new FakeShowTime(50)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  d.deliver([msg(0, 0x90, 60, 100)])
  d.releaseAll()
  assert.equal(
    log.map(([k, x]) => [k, x]),
    [
      ['at', [0x90, 60, 100]],
      ['flush', []],
      ['send', [0x80, 60, 0]],
    ],
  )
})

test('show, self-timed output: whenSent waits until the output has written what it was handed', async () => {
  const clock = new ManualClock()
  const { out, allWritten } = scheduledOutput()
  const map = new FakeShowTime(50)
  const d = delivery(clock, out, { timing: 'show', showTime: () => map })
  d.deliver([msg(0, 0x90, 60, 100)])
  let sent = false
  const done = d.whenSent().then(() => (sent = true))
  await Promise.resolve()
  await Promise.resolve()
  assert.is(sent, false)
  allWritten()
  await done
  assert.is(sent, true)
})

test("show: one output without a scheduler keeps every message on this thread's timer", async () => {
  const clock = new ManualClock()
  const a = scheduledOutput()
  const b = recorder(clock)
  const map = new FakeShowTime(10)
  const d = new MidiDelivery({ outputs: [a.out, b.out], route: new CompiledRoute(PASS_ALL), clock, timing: 'show', showTime: () => map })
  d.deliver([msg(0, 0x90, 60, 100)])
  assert.equal(a.log, [])
  await clock.advance(10)
  assert.equal(a.log, [['send', [0x90, 60, 100]]])
  assert.equal(b.got, [[10, [0x90, 60, 100]]])
})

test.run()
