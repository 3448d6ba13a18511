// The ARQ alone: two ends joined by a fake datagram path with a one-way delay, timed by a
// manual clock, so every retransmission time below is exact.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FLAG, MSG, peekFlags, peekSeq } from '../../src/codec/header.js'
import { encodeControl } from '../../src/codec/messages.js'
import { TimeoutError } from '../../src/errors.js'
import { MAX_ATTEMPTS, MAX_HELD, UdpReliable } from '../../transports/udp-reliable.js'
import { ManualClock } from '../helpers/manual-clock.js'

const terminate = (reason: string) => encodeControl({ type: MSG.TERMINATE, body: { reason, code: 'operator' } }, { sessionId: 7 })
const reasonOf = (f: Uint8Array) => (JSON.parse(Buffer.from(f.subarray(20)).toString()) as { reason: string }).reason

interface WireOptions {
  /** One-way delay of the path, both ways. */
  delayMs?: number
  /** Drops the nth datagram from a to b (counting from 0) when true. */
  dropData?: (n: number) => boolean
  /** Drops the nth ACK from b to a when true. */
  dropAck?: (n: number) => boolean
}

function link(o: WireOptions = {}) {
  const clock = new ManualClock()
  const delayMs = o.delayMs ?? 0
  const sentAtMs: number[] = []
  const acksSent: number[] = []
  const delivered: Uint8Array[] = []
  const failures: Array<{ atMs: number; err: TimeoutError }> = []
  let nData = 0
  let nAck = 0
  const later = (fn: () => void) => clock.setTimeout(fn, delayMs)
  const a: UdpReliable = new UdpReliable({
    clock,
    remote: 'b',
    transmit: (bytes) => {
      sentAtMs.push(clock.now())
      if (!o.dropData?.(nData++)) later(() => b.received(peekSeq(bytes)!, bytes))
    },
    ack: () => assert.unreachable('a receives nothing reliable here'),
    deliver: () => assert.unreachable('a receives nothing reliable here'),
    fail: (err) => failures.push({ atMs: clock.now(), err }),
  })
  const b: UdpReliable = new UdpReliable({
    clock,
    remote: 'a',
    transmit: () => assert.unreachable('b sends only ACKs'),
    ack: (seq) => {
      acksSent.push(seq)
      if (!o.dropAck?.(nAck++)) later(() => a.acked(seq))
    },
    deliver: (f) => delivered.push(f),
    fail: () => assert.unreachable('b sends nothing'),
  })
  return { clock, a, b, sentAtMs, acksSent, delivered, failures }
}

test('each message is marked RELIABLE with its own seq, on a copy', async () => {
  const l = link()
  const frame = terminate('one')
  l.a.send(frame)
  l.a.send(terminate('two'))
  await l.clock.advance(0)
  assert.equal(
    l.delivered.map((f) => [peekSeq(f), peekFlags(f)! & FLAG.RELIABLE]),
    [
      [0, FLAG.RELIABLE],
      [1, FLAG.RELIABLE],
    ],
  )
  assert.is(peekFlags(frame), 0, "the caller's bytes are untouched")
  assert.is(l.a.pendingBytes, 0)
})

test('retransmits after the RTO, doubling each time up to a 1 s cap, and gives up after 12 tries', async () => {
  const l = link({ dropData: () => true })
  l.a.send(terminate('anyone?'))
  await l.clock.advance(30_000)
  // 100, 200, 400, 800, then 1000 ms apart: ~9.5 s in all.
  assert.equal(l.sentAtMs, [0, 100, 300, 700, 1500, 2500, 3500, 4500, 5500, 6500, 7500, 8500])
  assert.is(l.sentAtMs.length, MAX_ATTEMPTS)
  assert.is(l.a.retransmits, MAX_ATTEMPTS - 1)
  assert.is(l.failures.length, 1)
  assert.is(l.failures[0]!.atMs, 9500, 'given up one backoff after the last try')
  assert.instance(l.failures[0]!.err, TimeoutError)
  assert.is(l.failures[0]!.err.code, 'NO_ACK')
  assert.is(l.failures[0]!.err.message, 'b did not acknowledge TERMINATE (seq 0) after 12 tries')
})

test("the RTO follows a first transmission's round trip: 2 x RTT + 20 ms, at least 40 ms", async () => {
  const l = link({ delayMs: 15 })
  l.a.send(terminate('a'))
  await l.clock.advance(30)
  assert.is(l.a.rtoMs, 2 * 30 + 20)
  const fast = link()
  fast.a.send(terminate('b'))
  await fast.clock.advance(0)
  assert.is(fast.a.rtoMs, 40, 'a 0 ms round trip still leaves room for scheduling')
})

test('the next message is retransmitted after the learned RTO', async () => {
  const l = link({ delayMs: 15, dropData: (n) => n === 1 })
  l.a.send(terminate('learn'))
  await l.clock.advance(30) // RTO now 80 ms
  l.a.send(terminate('lost once'))
  await l.clock.advance(200)
  assert.equal(l.sentAtMs, [0, 30, 110])
  assert.equal(l.delivered.map(reasonOf), ['learn', 'lost once'])
})

test("Karn's rule: the ACK of a retransmitted message does not change the RTO", async () => {
  // 70 ms each way: the first ACK comes at 140 ms, after the retransmission at 100 ms.
  const l = link({ delayMs: 70 })
  l.a.send(terminate('slow'))
  await l.clock.advance(500)
  assert.equal(l.sentAtMs, [0, 100])
  assert.is(l.delivered.length, 1, 'the second copy is a duplicate')
  assert.is(l.a.rtoMs, 100, 'unchanged: the ACK may answer either copy')
  assert.is(l.a.pendingBytes, 0)
})

test('a lost ACK: the retransmission is acknowledged again and not delivered twice', async () => {
  const l = link({ dropAck: (n) => n === 0 })
  l.a.send(terminate('once'))
  await l.clock.advance(1000)
  assert.is(l.delivered.length, 1)
  assert.equal(l.acksSent, [0, 0])
  assert.is(l.a.retransmits, 1)
  assert.is(l.a.pendingBytes, 0)
})

test('duplicate ACKs, and ACKs for nothing sent, change nothing', async () => {
  const l = link({ dropData: () => true })
  l.a.send(terminate('x'))
  l.a.send(terminate('y'))
  const both = l.a.pendingBytes
  l.a.acked(0)
  const one = l.a.pendingBytes
  assert.ok(one < both && one > 0)
  l.a.acked(0)
  l.a.acked(0xffff)
  l.a.acked(5)
  assert.is(l.a.pendingBytes, one)
  l.a.acked(1)
  assert.is(l.a.pendingBytes, 0)
  await l.clock.advance(5000)
  assert.equal(l.sentAtMs, [0, 0], 'nothing left to retransmit')
})

test('messages that overtake a missing one are held, then delivered in order', () => {
  const l = link()
  const frames = [0, 1, 2, 3].map((seq) =>
    encodeControl({ type: MSG.TERMINATE, body: { reason: `m${seq}`, code: 'operator' } }, { sessionId: 7, seq }),
  )
  assert.ok(l.b.received(2, frames[2]!))
  assert.ok(l.b.received(1, frames[1]!))
  assert.ok(l.b.received(2, frames[2]!), 'a duplicate of a held one')
  assert.is(l.b.heldCount, 2)
  assert.is(l.delivered.length, 0, 'one and two wait for zero')
  l.b.received(0, frames[0]!)
  assert.equal(l.delivered.map(reasonOf), ['m0', 'm1', 'm2'])
  assert.is(l.b.heldCount, 0)
  l.b.received(1, frames[1]!)
  assert.is(l.delivered.length, 3, 'an old one is not delivered again')
  l.b.received(3, frames[3]!)
  assert.equal(l.delivered.map(reasonOf), ['m0', 'm1', 'm2', 'm3'])
  assert.equal(l.acksSent, [2, 1, 2, 0, 1, 3], 'every copy is acknowledged')
})

test('at most 64 are held: the next is refused unacknowledged, so it comes again', () => {
  const l = link()
  const f = terminate('ahead')
  for (let seq = 1; seq <= MAX_HELD; seq++) assert.ok(l.b.received(seq, f))
  assert.is(l.b.heldCount, MAX_HELD)
  assert.not.ok(l.b.received(MAX_HELD + 1, f))
  assert.is(l.acksSent.length, MAX_HELD, 'not acknowledged')
  l.b.received(0, f)
  assert.is(l.delivered.length, MAX_HELD + 1)
  assert.ok(l.b.received(MAX_HELD + 1, f), 'room again')
  assert.is(l.delivered.length, MAX_HELD + 2)
})

test('sequence numbers wrap from 65535 to 0 without losing order', () => {
  // A wire without delay (each datagram handed over at once), so 65 539 messages take no timers.
  const clock = new ManualClock()
  const delivered: number[] = []
  const a: UdpReliable = new UdpReliable({
    clock,
    remote: 'b',
    transmit: (d) => b.received(peekSeq(d)!, d),
    ack: () => {},
    deliver: () => {},
    fail: () => {},
  })
  const b: UdpReliable = new UdpReliable({
    clock,
    remote: 'a',
    transmit: () => {},
    ack: (seq) => a.acked(seq),
    deliver: (d) => delivered.push(peekSeq(d)!),
    fail: () => {},
  })
  const f = terminate('w')
  for (let i = 0; i < 65536 + 3; i++) a.send(f)
  assert.is(delivered.length, 65536 + 3)
  assert.equal(delivered.slice(-4), [65535, 0, 1, 2])
  assert.is(a.pendingBytes, 0)
  assert.is(clock.pendingTimers, 0)
})

test('whenIdle waits for every outstanding ACK; it runs at once when nothing is outstanding', async () => {
  const l = link({ dropData: (n) => n < 2 })
  let idle = 0
  l.a.whenIdle(() => idle++)
  assert.is(idle, 1, 'nothing outstanding')
  l.a.send(terminate('last words'))
  l.a.whenIdle(() => idle++)
  await l.clock.advance(150)
  assert.is(idle, 1, 'the first two copies were lost')
  await l.clock.advance(400)
  assert.is(idle, 2)
  assert.equal(l.sentAtMs, [0, 100, 300])
})

test('stop cancels the timer and forgets everything: nothing is sent, given up or called afterwards', async () => {
  const l = link({ dropData: () => true })
  l.a.send(terminate('x'))
  let idle = 0
  l.a.whenIdle(() => idle++)
  l.a.stop()
  l.a.stop()
  assert.is(l.clock.pendingTimers, 0)
  assert.is(l.a.pendingBytes, 0)
  l.a.send(terminate('after'))
  l.a.whenIdle(() => idle++)
  await l.clock.advance(20_000)
  assert.equal(l.sentAtMs, [0])
  assert.is(l.failures.length, 0)
  assert.is(idle, 0)
})

test.run()
