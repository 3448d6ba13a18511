// One suite, run against every transport: frames in, the same frames out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import { encodeFrame } from '../../src/codec/messages.js'
import { closeAllPairs, collect, memPair, tcpPair, udpPair, until, type Pair } from '../helpers/transport-pairs.js'
import { hex } from '../helpers/frames.js'
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { TcpTransport } from '../../transports/tcp.js'
import { ManualClock } from '../helpers/manual-clock.js'

// A failed assertion must not leave sockets open (they would keep this process alive).
test.after.each(closeAllPairs)

const frame = (seq: number, size: number) => {
  const payload = new Uint8Array(size)
  for (let i = 0; i < size; i++) payload[i] = (seq + i) & 0xff
  return encodeFrame(MSG.AUDIO, payload, { sessionId: 1, seq })
}

const KINDS: Array<[string, () => Promise<Pair>]> = [['memory', memPair], ['tcp', () => tcpPair()]]

for (const [kind, make] of KINDS) {
  test(`${kind}: one small frame arrives whole`, async () => {
    const p = await make()
    const got = collect(p.b)
    p.a.send(frame(1, 3))
    await until(() => got.frames.length === 1)
    assert.is(hex(got.frames[0]!), hex(frame(1, 3)))
    await p.a.close()
    await p.done()
  })

  test(`${kind}: one big frame (1 MiB) arrives whole`, async () => {
    const p = await make()
    p.b.setMaxPayload(1 << 20)
    const got = collect(p.b)
    const big = frame(2, 1 << 20)
    p.a.send(big, 'media')
    await until(() => got.frames.length === 1)
    assert.ok(Buffer.from(got.frames[0]!).equals(Buffer.from(big)))
    await p.a.close()
    await p.done()
  })

  test(`${kind}: many small frames arrive in order`, async () => {
    const p = await make()
    const got = collect(p.b)
    for (let i = 0; i < 2000; i++) p.a.send(frame(i, i % 50), 'media')
    await until(() => got.frames.length === 2000)
    // Compare bytes: a frame copied across socket chunks is a Uint8Array, one viewed inside a chunk a Buffer.
    got.frames.forEach((f, i) => assert.is(hex(f), hex(frame(i, i % 50)), `frame ${i}`))
    await p.a.close()
    await p.done()
  })

  test(`${kind}: close after writing delivers everything, then closes the far side`, async () => {
    const p = await make()
    const got = collect(p.b)
    for (let i = 0; i < 100; i++) p.a.send(frame(i, 1000))
    await p.a.close()
    const err = await got.closed
    assert.is(err, undefined)
    assert.is(got.frames.length, 100)
    assert.not.ok(p.a.send(frame(1, 1)), 'send after close is refused')
    await p.a.close() // idempotent
    await p.done()
  })

  test(`${kind}: abort closes both sides with the reason on the aborting side`, async () => {
    const p = await make()
    const a = collect(p.a)
    const b = collect(p.b)
    p.a.abort(new Error('kicked'))
    assert.is((await a.closed)?.message, 'kicked')
    await b.closed
    await p.done()
  })
}

// UDP keeps the contract where a datagram transport can: frames arrive whole and in order on
// loopback, audio is never retransmitted, and abort reports its reason. It differs where
// UDP has no connection (closing one side is not seen by the other: keep-alive sees it)
// and no byte stream (a frame is at most one datagram, 64 KiB).
test('udp: one small frame arrives whole', async () => {
  const p = await udpPair(1)
  const got = collect(p.a)
  p.b.send(frame(1, 3), 'media')
  await until(() => got.frames.length === 1)
  assert.is(hex(got.frames[0]!), hex(frame(1, 3)))
  await p.done()
})

test('udp: one big frame (60 KiB) arrives whole', async () => {
  const p = await udpPair(1)
  const got = collect(p.b)
  const big = frame(2, 60 * 1024)
  p.a.send(big, 'media')
  await until(() => got.frames.length === 1)
  assert.ok(Buffer.from(got.frames[0]!).equals(Buffer.from(big)))
  await p.done()
})

test('udp: many small frames arrive in order (paced, as a stream is)', async () => {
  const p = await udpPair(1)
  const got = collect(p.b)
  for (let i = 0; i < 2000; i++) {
    p.a.send(frame(i, i % 50), 'media')
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2))
  }
  await until(() => got.frames.length === 2000)
  got.frames.forEach((f, i) => assert.is(hex(f), hex(frame(i, i % 50)), `frame ${i}`))
  await p.done()
})

test('udp: close flushes control messages (acknowledged), then closes; abort carries its reason', async () => {
  const p = await udpPair(1)
  const got = collect(p.b)
  for (let i = 0; i < 20; i++) p.a.send(encodeFrame(MSG.INIT, new TextEncoder().encode('{"position":0}'), { sessionId: 1 }))
  await p.a.close()
  assert.is(got.frames.length, 20, 'every reliable frame was acknowledged before close resolved')
  assert.not.ok(p.a.send(frame(1, 1)), 'send after close is refused')
  const b = collect(p.b)
  p.b.abort(new Error('kicked'))
  assert.is((await b.closed)?.message, 'kicked')
  await p.done()
})

test('tcp: bad bytes become a badFrame event, not an exception', async () => {
  const p = await tcpPair()
  const bad = new Promise<Error>((r) => p.b.once('badFrame', r))
  p.a.send(new Uint8Array([0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54, 0x54, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]))
  const err = (await bad) as Error & { code: string }
  assert.is(err.code, 'BAD_MAGIC')
  p.b.abort(err)
  await p.done()
})

test('tcp: a reader that stops reading costs capped memory; oldest audio goes first, control stays', async () => {
  const p = await tcpPair({ maxQueueBytes: 256 * 1024, stallTimeoutMs: 60_000 })
  // Stop reading on b's side so a's socket fills up.
  ;(p.b as unknown as { socket: { pause(): void } }).socket.pause()
  let refused = 0
  for (let i = 0; i < 4000; i++) if (!p.a.send(frame(i & 0xffff, 4000), 'media')) refused++
  p.a.send(frame(9999, 10), 'control')
  const s = p.a.stats
  assert.ok(refused > 0, 'backpressure was signalled')
  assert.ok(s.framesDropped > 0, 'old audio was dropped')
  // The cap plus at most one socket high-water mark (16 KiB) and one frame.
  assert.ok(s.queuedBytes <= 256 * 1024 + 16 * 1024 + 4020, `queued ${s.queuedBytes} bytes`)
  const got = collect(p.b)
  ;(p.b as unknown as { socket: { resume(): void } }).socket.resume()
  await until(() => got.frames.some((f) => f.byteLength === 30))
  const seqs = got.frames.filter((f) => f.byteLength > 30).map((f) => (f[6]! << 8) | f[7]!)
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, 'what arrives is in order')
  assert.is(got.frames.at(-1)!.byteLength, 30, 'the control frame was kept, and came last')
  p.a.abort(new Error('done'))
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
