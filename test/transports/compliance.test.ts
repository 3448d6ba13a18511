// One suite, run against every transport: frames in, the same frames out. UDP runs the
// same cases, adapted where a datagram transport cannot do what a stream does; each
// adaptation is a field of its Kind below, with the reason beside it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG, peekSeq } from '../../src/codec/header.js'
import { encodeFrame } from '../../src/codec/messages.js'
import { closeAllPairs, collect, memPair, tcpPair, udpPair, until, type Pair } from '../helpers/transport-pairs.js'
import { hex } from '../helpers/frames.js'
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { TcpTransport } from '../../transports/tcp.js'
import type { MemoryTransport } from '../../transports/memory.js'
import type { Transport } from '../../transports/transport.js'
import { ManualClock } from '../helpers/manual-clock.js'

// A failed assertion must not leave sockets open (they would keep this process alive).
test.after.each(closeAllPairs)

const frame = (seq: number, size: number) => {
  const payload = new Uint8Array(size)
  for (let i = 0; i < size; i++) payload[i] = (seq + i) & 0xff
  return encodeFrame(MSG.AUDIO, payload, { sessionId: 1, seq })
}
/** A control message (INIT is one UDP delivers reliably); its body is never parsed here. */
const control = (seq: number, size: number) => {
  const payload = new Uint8Array(size).fill(seq & 0xff)
  return encodeFrame(MSG.INIT, payload, { sessionId: 1, seq })
}

interface Kind {
  name: Transport['kind']
  make: (o?: { maxQueueBytes: number; stallTimeoutMs: number }) => Promise<Pair>
  /** The biggest frame the transport carries whole. */
  bigFrameBytes: number
  /** At most this many frames in flight at once (undefined: a burst of any size). */
  windowFrames?: number
  /** Whether the far side hears a close. */
  farSideSeesClose: boolean
  /** Makes `t` stop reading, as a reader that has stalled; undefined where the transport has no flow control. */
  stopReading?: (t: Transport) => { resume(): void }
}

const socketOf = (t: Transport) => (t as unknown as { socket: { pause(): void; resume(): void } }).socket

const KINDS: Kind[] = [
  {
    name: 'memory',
    make: (o) => memPair(o),
    bigFrameBytes: 1 << 20,
    farSideSeesClose: true,
    stopReading: (t) => {
      const m = t as MemoryTransport
      m.pause()
      return { resume: () => m.resume() }
    },
  },
  {
    name: 'tcp',
    make: (o) => tcpPair(o),
    bigFrameBytes: 1 << 20,
    farSideSeesClose: true,
    stopReading: (t) => {
      socketOf(t).pause()
      return { resume: () => socketOf(t).resume() }
    },
  },
  {
    // a: the server's side, b: the rig's, validated as in a session.
    name: 'udp',
    make: () => udpPair(1),
    // A frame is one datagram, at most 64 KiB: a bigger audio packet is split into
    // segments by the packetizer (src/codec/datagrams.ts, tested in udp.test.ts), not here.
    bigFrameBytes: 60 * 1024,
    // No flow control: a burst bigger than the receiver's socket buffer is dropped by the
    // kernel, as it would be on any network. A stream is paced; so is this.
    windowFrames: 20,
    // No connection: closing one side is not heard by the other (the session's keep-alive is).
    farSideSeesClose: false,
    // No flow control, so no reader can hold a sender back: see the backpressure case.
  },
]

for (const kind of KINDS) {
  test(`${kind.name}: one small frame arrives whole`, async () => {
    const p = await kind.make()
    const got = collect(p.b)
    p.a.send(frame(1, 3))
    await until(() => got.frames.length === 1)
    assert.is(hex(got.frames[0]!), hex(frame(1, 3)))
    await p.a.close()
    await p.done()
  })

  test(`${kind.name}: one big frame (${kind.bigFrameBytes >> 10} KiB) arrives whole`, async () => {
    const p = await kind.make()
    p.b.setMaxPayload(1 << 20)
    const got = collect(p.b)
    const big = frame(2, kind.bigFrameBytes)
    p.a.send(big, 'media')
    await until(() => got.frames.length === 1)
    assert.ok(Buffer.from(got.frames[0]!).equals(Buffer.from(big)))
    await p.a.close()
    await p.done()
  })

  test(`${kind.name}: many small frames arrive in order`, async () => {
    const p = await kind.make()
    const got = collect(p.b)
    const window = kind.windowFrames
    for (let i = 0; i < 2000; i++) {
      p.a.send(frame(i, i % 50), 'media')
      if (window !== undefined && i % window === window - 1) await until(() => got.frames.length > i - window)
    }
    await until(() => got.frames.length === 2000)
    // Compare bytes: a frame copied across socket chunks is a Uint8Array, one viewed inside a chunk a Buffer.
    got.frames.forEach((f, i) => assert.is(hex(f), hex(frame(i, i % 50)), `frame ${i}`))
    await p.a.close()
    await p.done()
  })

  test(`${kind.name}: close in the middle of writing delivers everything first, and is idempotent`, async () => {
    const p = await kind.make()
    const got = collect(p.b)
    for (let i = 0; i < 100; i++) p.a.send(control(i, 1000))
    const closing = p.a.close()
    assert.is(p.a.close(), closing, 'idempotent: a second close is the same close')
    assert.not.ok(p.a.send(control(100, 1)), 'send while closing is refused')
    await closing
    if (kind.farSideSeesClose) assert.is(await got.closed, undefined, 'the far side saw a clean close')
    // UDP: close resolved once every one was acknowledged, so every one has arrived.
    assert.is(got.frames.length, 100)
    got.frames.forEach((f, i) => assert.is(hex(f.subarray(20)), hex(control(i, 1000).subarray(20)), `frame ${i}`))
    assert.not.ok(p.a.send(frame(1, 1)), 'send after close is refused')
    await p.a.close() // and after it
    await p.done()
  })

  test(`${kind.name}: abort closes with the reason on the aborting side${kind.farSideSeesClose ? ', and the far side too' : ''}`, async () => {
    const p = await kind.make()
    const a = collect(p.a)
    const b = collect(p.b)
    p.a.abort(new Error('kicked'))
    assert.is((await a.closed)?.message, 'kicked')
    assert.not.ok(p.a.send(frame(1, 1)))
    if (kind.farSideSeesClose) await b.closed
    await p.done()
  })

  const stopReading = kind.stopReading
  if (stopReading) {
    test(`${kind.name}: backpressure: a reader that stops reading costs capped memory; oldest audio goes first, control stays`, async () => {
      const p = await kind.make({ maxQueueBytes: 256 * 1024, stallTimeoutMs: 60_000 })
      const reader = stopReading(p.b)
      let refused = 0
      for (let i = 0; i < 4000; i++) if (!p.a.send(frame(i & 0xffff, 4000), 'media')) refused++
      p.a.send(frame(9999, 10), 'control')
      const s = p.a.stats
      assert.ok(refused > 0, 'backpressure was signalled')
      assert.ok(s.framesDropped > 0, 'old audio was dropped')
      // The cap plus at most one socket high-water mark (16 KiB) and one frame.
      assert.ok(s.queuedBytes <= 256 * 1024 + 16 * 1024 + 4020, `queued ${s.queuedBytes} bytes`)
      const drained = new Promise<void>((r) => p.a.once('drain', r))
      const got = collect(p.b)
      reader.resume()
      await until(() => got.frames.some((f) => f.byteLength === 30))
      await drained
      const seqs = got.frames.filter((f) => f.byteLength > 30).map((f) => peekSeq(f)!)
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, 'what arrives is in order')
      assert.is(got.frames.at(-1)!.byteLength, 30, 'the control frame was kept, and came last')
      assert.ok(p.a.send(frame(1, 10)), 'writable again after the drain')
      p.a.abort(new Error('done'))
      await p.done()
    })
  } else {
    test(`${kind.name}: backpressure: without flow control nothing waits but control messages for their ACK`, async () => {
      // A datagram is sent or lost: however the reader fares (here it is gone, and the
      // kernel drops what reaches its closed port), send never refuses and audio never
      // waits, so it cannot cost the sender memory. Only reliable control waits, for its ACK.
      const p = await kind.make()
      p.b.abort(new Error('reader gone'))
      for (let i = 0; i < 4000; i++) assert.ok(p.a.send(frame(i & 0xffff, 4000), 'media'), `frame ${i} refused`)
      assert.is(p.a.stats.queuedBytes, 0)
      assert.is(p.a.stats.framesDropped, 0)
      const c = control(1, 10)
      assert.ok(p.a.send(c, 'control'))
      assert.is(p.a.stats.queuedBytes, c.byteLength, 'the control message waits for its ACK')
      p.a.abort(new Error('done'))
      await p.done()
    })
  }
}

test('tcp: bad bytes become a badFrame event, not an exception', async () => {
  const p = await tcpPair()
  const bad = new Promise<Error>((r) => p.b.once('badFrame', r))
  p.a.send(new Uint8Array([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
  const err = (await bad) as Error & { code: string }
  assert.is(err.code, 'BAD_MAGIC')
  p.b.abort(err)
  await p.done()
})

test('tcp: a peer that stays behind past the stall timeout is dropped with a reason', async () => {
  const p = await tcpPair({ maxQueueBytes: 64 * 1024, stallTimeoutMs: 200 })
  ;(p.b as unknown as { socket: { pause(): void } }).socket.pause()
  const a = collect(p.a)
  const start = Date.now()
  let closedErr: Error | undefined
  void a.closed.then((e) => (closedErr = e))
  while (!closedErr && Date.now() - start < 3000) {
    p.a.send(frame(1, 16_000), 'media')
    await new Promise((r) => setTimeout(r, 5))
  }
  assert.ok(closedErr, 'the slow peer was dropped')
  assert.match(closedErr!.message, /fell behind: nothing drained for 0.2 s/)
  await p.done()
})

/** Just enough of a net.Socket for TcpTransport, with drains decided by the test. */
class FakeSocket extends EventEmitter {
  remoteAddress = '10.9.9.9'
  remotePort = 7400
  writableNeedDrain = false
  writableLength = 0
  written = 0
  setNoDelay(): void {}
  pause(): void {}
  end(): void {}
  destroy(): void {
    this.emit('close')
  }
  write(): boolean {
    this.written++
    // A slow reader: every write fills the socket until the next drain.
    this.writableNeedDrain = true
    return false
  }
  drain(): void {
    this.writableNeedDrain = false
    this.emit('drain')
  }
}

function slowPeer(stallTimeoutMs: number) {
  const clock = new ManualClock()
  const sock = new FakeSocket()
  const transport = new TcpTransport(sock as unknown as Socket, { maxQueueBytes: 10 * 1000, stallTimeoutMs, clock })
  let closedWith: Error | undefined
  transport.once('close', (e) => (closedWith = e))
  return { sock, transport, advance: (ms: number) => clock.advance(ms), closed: () => closedWith }
}

test('tcp: a peer that drains, but slower than the stream, is dropped once it has lost audio for the limit', async () => {
  const p = slowPeer(1000)
  // 100 frames/s of 1 kB in, one frame out per drain, a drain every 20 ms (50 frames/s out).
  for (let ms = 0; ms < 3000 && !p.closed(); ms += 10) {
    await p.advance(10)
    p.transport.send(frame(ms & 0xffff, 1000 - 20), 'media')
    if (ms % 20 === 0) p.sock.drain()
  }
  assert.ok(p.closed(), 'dropped')
  assert.is(p.closed()!.message, 'peer 10.9.9.9:7400 fell behind: reading slower than the stream, audio dropped for 1.0 s')
  assert.ok(p.transport.stats.framesDropped > 0)
})

test('tcp: a peer that falls behind briefly and catches up is kept', async () => {
  const p = slowPeer(1000)
  for (let ms = 0; ms < 5000; ms += 10) {
    await p.advance(10)
    p.transport.send(frame(1, 980), 'media')
    // Slow for 0.8 s out of every 1.6 s, then fast enough to empty the queue.
    const slow = ms % 1600 < 800
    if (!slow || ms % 20 === 0) for (let i = 0; i < (slow ? 1 : 4); i++) p.sock.drain()
  }
  assert.is(p.closed(), undefined)
  assert.ok(p.transport.stats.framesDropped > 0, 'it did lose audio while behind')
})

test.run()
