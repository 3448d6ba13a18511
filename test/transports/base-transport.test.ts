// What the base owns, tried on the smallest transport that can be written on it: a lower
// layer whose fullness and drains the test decides, timed by a manual clock.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TimeoutError } from '../../src/errors.js'
import { BaseTransport, CLOSE_TIMEOUT_MS, type BaseTransportOptions } from '../../transports/base-transport.js'
import { emptyStats } from '../../transports/transport.js'
import { ManualClock } from '../helpers/manual-clock.js'

class FakeLowerTransport extends BaseTransport {
  readonly kind = 'memory'
  readonly reliable = true
  /** Frames the lower layer took, in order. */
  readonly written: number[] = []
  /** How many more frames the lower layer takes before it says it is full. */
  room = Infinity
  ended = 0
  destroyed = 0
  finished = 0
  lowerBytes = 0

  setMaxPayload(): void {}

  /** The lower layer has room for `n` more, and says so. */
  makeRoom(n: number): void {
    this.room = n
    this.drained()
  }

  /** The lower layer closed by itself (the far side hung up, or failed). */
  lowerClosed(err?: Error): void {
    this.finish(err)
  }

  protected sendFrame(frame: Uint8Array): boolean {
    this.counters.framesSent++
    this.written.push(frame[0]!)
    this.room--
    return this.room > 0
  }

  protected endGracefully(): void {
    this.ended++
  }

  protected destroy(): void {
    this.destroyed++
  }

  protected override lowerQueuedBytes(): number {
    return this.lowerBytes
  }

  protected override onFinish(): void {
    this.finished++
  }
}

function make(o: Partial<BaseTransportOptions> = {}) {
  const clock = new ManualClock()
  const t = new FakeLowerTransport({ remote: '10.0.0.5:7400', clock, ...o }, emptyStats())
  const closes: Array<Error | undefined> = []
  let drains = 0
  t.on('close', (e) => closes.push(e))
  t.on('drain', () => drains++)
  return { t, clock, closes, drains: () => drains }
}

const f = (tag: number, size = 10) => new Uint8Array(size).fill(tag)

test('frames go straight to the lower layer while it has room', () => {
  const { t } = make()
  assert.ok(t.send(f(1)))
  assert.ok(t.send(f(2)))
  assert.equal(t.written, [1, 2])
  assert.is(t.status, 'open')
})

test('once the lower layer is full, frames wait in the queue and go out in order on drain', () => {
  const { t, drains } = make()
  t.room = 1
  assert.not.ok(t.send(f(1)), 'the frame was taken, but the layer is now full')
  assert.not.ok(t.send(f(2)))
  assert.not.ok(t.send(f(3)))
  assert.equal(t.written, [1])
  assert.is(t.stats.queuedBytes, 20)
  t.makeRoom(1)
  assert.equal(t.written, [1, 2], 'one drain, room for one')
  assert.is(drains(), 0, 'not drained while frames still wait')
  t.makeRoom(Infinity)
  assert.equal(t.written, [1, 2, 3])
  assert.is(drains(), 1)
  assert.ok(t.send(f(4)))
})

test('stats add what the lower layer holds to what the queue holds, and count dropped audio', () => {
  const { t } = make({ maxQueueBytes: 25 })
  t.room = 1
  t.lowerBytes = 7
  t.send(f(1))
  t.send(f(2), 'media')
  t.send(f(3), 'media')
  t.send(f(4), 'media')
  const s = t.stats
  assert.is(s.framesDropped, 1)
  assert.is(s.queuedBytes, 20 + 7)
  t.makeRoom(Infinity)
  assert.equal(t.written, [1, 3, 4], 'the oldest audio went')
})

test('close waits for the queue to empty, then ends the lower layer once; the promise is shared', async () => {
  const { t, clock, closes } = make()
  t.room = 1
  t.send(f(1))
  t.send(f(2))
  const first = t.close()
  assert.is(t.close(), first, 'idempotent: the same promise')
  assert.is(t.status, 'closing')
  assert.not.ok(t.send(f(3)), 'refused while closing')
  assert.is(t.ended, 0, 'a frame still waits')
  t.makeRoom(Infinity)
  t.makeRoom(Infinity)
  assert.is(t.ended, 1, 'ended once, after the queue emptied')
  assert.equal(t.written, [1, 2])
  let resolved = false
  void first.then(() => (resolved = true))
  await clock.advance(0)
  assert.not.ok(resolved, 'not closed until the lower layer says so')
  t.lowerClosed()
  await first
  assert.equal(closes, [undefined])
  assert.is(t.status, 'closed')
  await t.close()
  assert.is(t.finished, 1)
})

test('a close that the lower layer never completes ends after 2 s, cleanly', async () => {
  const { t, clock, closes } = make()
  t.room = 1
  t.send(f(1))
  t.send(f(2)) // waits forever: the peer never reads
  const closed = t.close()
  await clock.advance(CLOSE_TIMEOUT_MS - 1)
  assert.is(t.status, 'closing')
  await clock.advance(1)
  await closed
  assert.equal(closes, [undefined])
  assert.is(t.destroyed, 1)
  assert.is(clock.pendingTimers, 0)
})

test('abort closes at once with its reason, drops what waits, and is idempotent', () => {
  const { t, closes } = make()
  t.room = 1
  t.send(f(1))
  t.send(f(2))
  t.abort(new Error('kicked'))
  t.abort(new Error('again'))
  t.lowerClosed() // the socket's own close comes after: it must not win
  assert.equal(
    closes.map((e) => e?.message),
    ['kicked'],
  )
  assert.is(t.destroyed, 1)
  assert.is(t.stats.queuedBytes, 0)
  assert.not.ok(t.send(f(3)))
  t.makeRoom(Infinity)
  assert.equal(t.written, [1], 'nothing sent after the abort')
})

test('a close after the lower layer closed resolves at once; abort during a close carries its reason', async () => {
  const a = make()
  a.t.lowerClosed(new Error('ECONNRESET'))
  await a.t.close()
  assert.equal(
    a.closes.map((e) => e?.message),
    ['ECONNRESET'],
  )
  const b = make()
  b.t.room = 1
  b.t.send(f(1))
  b.t.send(f(2))
  const closing = b.t.close()
  b.t.abort(new Error('operator'))
  await closing
  assert.equal(
    b.closes.map((e) => e?.message),
    ['operator'],
  )
  assert.is(b.clock.pendingTimers, 0, 'the close timer was cancelled')
})

test('a peer that does not drain for the stall timeout is dropped with a TimeoutError saying so', async () => {
  const { t, clock, closes } = make({ stallTimeoutMs: 1000 })
  t.room = 1
  t.send(f(1), 'media')
  for (let i = 0; i < 12 && t.status === 'open'; i++) {
    t.send(f(2), 'media')
    await clock.advance(100)
  }
  assert.is(closes.length, 1)
  assert.instance(closes[0], TimeoutError)
  assert.is((closes[0] as TimeoutError).code, 'TOO_SLOW')
  assert.is(closes[0]!.message, 'peer 10.0.0.5:7400 fell behind: nothing drained for 1.0 s')
})

test('a drain restarts the stall clock', async () => {
  const { t, clock, closes } = make({ stallTimeoutMs: 1000 })
  t.room = 1
  t.send(f(1), 'media')
  for (let i = 0; i < 50; i++) {
    t.send(f(2), 'media')
    await clock.advance(100)
    if (i % 5 === 4) t.makeRoom(1) // a drain every 500 ms: slow, but never stalled
  }
  assert.equal(closes, [])
})

test('control frames that alone pass the cap end the peer: nothing can be dropped to make room', () => {
  const { t, closes } = make({ maxQueueBytes: 100 })
  t.room = 1
  t.send(f(1))
  for (let i = 0; i < 10 && t.status === 'open'; i++) t.send(f(2, 30), i % 2 ? 'media' : 'control')
  assert.is(closes.length, 1)
  assert.instance(closes[0], TimeoutError)
  assert.is((closes[0] as TimeoutError).code, 'TOO_SLOW')
  assert.is(closes[0]!.message, 'peer 10.0.0.5:7400 fell behind: 120 bytes of control messages waiting, more than the 100-byte cap')
  assert.is(t.destroyed, 1)
})

test('frames sent after the lower layer closed are refused', () => {
  const { t } = make()
  t.lowerClosed()
  assert.not.ok(t.send(f(1)))
  assert.equal(t.written, [])
})

test.run()
