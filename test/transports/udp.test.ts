// The UDP transport: reliability of control messages on a manual clock with a wire we
// lose datagrams on, then real sockets on loopback.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import dgram from 'node:dgram'
import { FLAG, HEADER_BYTES, MSG, peekFlags, peekSeq, peekType } from '../../src/codec/header.js'
import { encodeControl, encodeFrame, decodeFrame, readControl } from '../../src/codec/messages.js'
import { AudioPacketizer } from '../../src/codec/datagrams.js'
import { UdpTransport, MIN_CONNECT_BYTES, connectDatagram, type UdpPeerOptions } from '../../transports/udp.js'
import { listenUdp } from '../../transports/udp-listen.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { closeAllPairs, collect, udpPair, until } from '../helpers/transport-pairs.js'
import { hex } from '../helpers/frames.js'
import { FORMAT } from '../helpers/session.js'

test.after.each(closeAllPairs)

const SESSION = 7
const terminate = (reason: string) => encodeControl({ type: MSG.TERMINATE, body: { reason, code: 'operator' } }, { sessionId: SESSION })
const audio = (seq: number, ts = seq * 128) =>
  encodeFrame(MSG.AUDIO, new Uint8Array(512).fill(seq & 0xff), { sessionId: SESSION, seq, timestamp: ts, codec: 1 })

/** Two transports joined by a wire that drops the datagrams a test picks, timed by a manual clock. */
function wiredPair(
  o: { dropAtoB?: (n: number, d: Uint8Array) => boolean; dropBtoA?: (n: number, d: Uint8Array) => boolean; budget?: number } = {},
) {
  const clock = new ManualClock()
  let a!: UdpTransport
  let b!: UdpTransport
  let nAB = 0
  let nBA = 0
  const wireAB: Uint8Array[] = []
  const base = (remote: string): Omit<UdpPeerOptions, 'sendDatagram'> => ({ remote, sessionId: SESSION, clock })
  a = new UdpTransport({
    ...base('b'),
    budget: o.budget,
    sendDatagram: (d) => {
      wireAB.push(d)
      if (!o.dropAtoB?.(nAB++, d)) queueMicrotask(() => b.receive(Buffer.from(d)))
    },
  })
  b = new UdpTransport({
    ...base('a'),
    sendDatagram: (d) => {
      if (!o.dropBtoA?.(nBA++, d)) queueMicrotask(() => a.receive(Buffer.from(d)))
    },
  })
  return { a, b, clock, wireAB }
}

const bodyOf = (f: Uint8Array) => (readControl(decodeFrame(f, 1 << 16)).body as { reason: string }).reason

test('udp: a lost control message is retransmitted and delivered once', async () => {
  const { a, b, clock } = wiredPair({ dropAtoB: (n) => n === 0 })
  const got = collect(b)
  a.send(terminate('bye'))
  await clock.advance(50)
  assert.is(got.frames.length, 0)
  await clock.advance(100)
  assert.is(got.frames.length, 1)
  assert.is(bodyOf(got.frames[0]!), 'bye')
  assert.ok(peekFlags(got.frames[0]!)! & FLAG.RELIABLE)
  assert.is(a.stats.retransmits, 1)
  assert.is(a.stats.queuedBytes, 0, 'acknowledged: nothing pending')
})

test('udp: a lost ACK makes a duplicate, which is recognised and acknowledged again', async () => {
  const { a, b, clock } = wiredPair({ dropBtoA: (n) => n === 0 })
  const got = collect(b)
  a.send(terminate('once'))
  await clock.advance(1000)
  assert.is(got.frames.length, 1)
  assert.is(a.stats.retransmits, 1)
  assert.is(a.stats.queuedBytes, 0)
})

test('udp: reliable messages are delivered in order even when the first is lost', async () => {
  const { a, b, clock } = wiredPair({ dropAtoB: (n) => n === 0 })
  const got = collect(b)
  for (const r of ['one', 'two', 'three']) a.send(terminate(r))
  await clock.advance(5)
  assert.is(got.frames.length, 0, 'two and three wait for one')
  await clock.advance(200)
  assert.equal(got.frames.map(bodyOf), ['one', 'two', 'three'])
})

test('udp: audio is sent once, never retransmitted', async () => {
  const { a, b, clock } = wiredPair({ dropAtoB: (n) => n === 1 })
  const got = collect(b)
  for (let i = 0; i < 3; i++) a.send(audio(i), 'media')
  await clock.advance(2000)
  assert.equal(got.frames.map(peekSeq), [0, 2])
  assert.is(a.stats.retransmits, 0)
})

test('udp: a peer that never acknowledges is given up after a bounded number of tries', async () => {
  const { a, clock, wireAB } = wiredPair({ dropAtoB: () => true })
  const closed = collect(a).closed
  a.send(terminate('anyone?'))
  await clock.advance(30_000)
  const err = await closed
  assert.match(String(err?.message), /did not acknowledge TERMINATE \(seq 0\) after 12 tries/)
  assert.is(wireAB.length, 12)
  // Backoff: the gaps between tries double up to a 1 s cap.
})

test('udp: close waits for outstanding control messages to be acknowledged', async () => {
  const { a, b, clock } = wiredPair({ dropAtoB: (n) => n < 2 })
  const got = collect(b)
  a.send(terminate('last words'))
  let closed = false
  void a.close().then(() => (closed = true))
  await clock.advance(150)
  assert.not.ok(closed)
  await clock.advance(400)
  assert.ok(closed)
  assert.is(got.frames.length, 1)
})

test('udp: before the rig proves its address the server sends it no more bytes than it received', async () => {
  const { a, b, clock, wireAB } = wiredPair({ budget: MIN_CONNECT_BYTES, dropAtoB: () => true })
  for (let i = 0; i < 10; i++) a.send(audio(i), 'media') // 532 bytes each
  assert.is(wireAB.length, 2, 'two 532-byte frames fit a 1200-byte budget, the third does not')
  a.receive(connectDatagram()) // the rig knocks again: more budget, and a 20-byte answer
  assert.is(peekType(wireAB[2]!), MSG.ACK)
  a.send(audio(10), 'media')
  a.send(audio(11), 'media')
  assert.is(wireAB.length, 5)
  // A datagram carrying the session id validates the address: no more limit.
  a.receive(Buffer.from(encodeFrame(MSG.PING, new Uint8Array(8), { sessionId: SESSION })))
  for (let i = 0; i < 10; i++) a.send(audio(i), 'media')
  assert.is(wireAB.length, 15)
  void b
  await clock.advance(1)
})

test('udp: garbage, wrong-session and truncated datagrams are dropped and counted, never delivered', async () => {
  const { a, b, clock } = wiredPair()
  const got = collect(b)
  const bad = collect(b)
  let badFrames = 0
  b.on('badFrame', () => badFrames++)
  b.receive(Buffer.from('GET / HTTP/1.1\r\n\r\n'))
  b.receive(new Uint8Array(3))
  b.receive(Buffer.from(encodeFrame(MSG.AUDIO, new Uint8Array(4), { sessionId: 99, seq: 1 })))
  const truncated = audio(1).subarray(0, 100)
  b.receive(Buffer.from(truncated))
  assert.is(b.stats.datagramsDropped, 4)
  assert.is(got.frames.length, 0)
  assert.is(badFrames, 0)
  a.send(audio(2), 'media')
  await clock.advance(1)
  assert.is(got.frames.length, 1, 'still works after the garbage')
  void bad
})

test('udp: a redundant BUNDLE recovers a lost packet and drops copies already received', async () => {
  const p = new AudioPacketizer(FORMAT, 1452, 1)
  const { a, b, clock } = wiredPair({ dropAtoB: (n) => n === 2 })
  const got = collect(b)
  for (let i = 0; i < 5; i++) for (const d of p.datagrams(audio(i))) a.send(d, 'media')
  await clock.advance(1)
  assert.equal(got.frames.map(peekSeq), [0, 1, 2, 3, 4])
  assert.is(b.stats.packetsRecovered, 1)
  got.frames.forEach((f, i) => assert.is(hex(f), hex(audio(i))))
})

test('packetizer: a frame over the MTU is split into whole-frame segments with their own timestamps', () => {
  const format = { ...FORMAT, framesPerPacket: 1024 }
  const p = new AudioPacketizer(format, 1452, 0)
  const pcm = new Uint8Array(1024 * 4).map((_, i) => i & 0xff)
  const frame = encodeFrame(MSG.AUDIO, pcm, { sessionId: SESSION, seq: 9, timestamp: 5000, codec: 1 })
  const segs = p.datagrams(frame)
  assert.is(segs.length, 3)
  let frames = 0
  for (const s of segs) {
    assert.ok(s.byteLength <= 1452)
    const f = decodeFrame(s, 1 << 16)
    assert.is(f.header.seq, 9)
    assert.ok(f.header.flags & FLAG.SEGMENT)
    assert.is(f.header.timestamp, 5000 + frames)
    assert.is(hex(f.payload), hex(pcm.subarray(frames * 4, frames * 4 + f.payload.byteLength)))
    frames += f.payload.byteLength / 4
  }
  assert.is(frames, 1024)
  const small = audio(1)
  assert.is(p.datagrams(small)[0], small, 'a frame that fits is sent as is: same bytes, no copy')
})

test('udp sockets: CONNECT, then frames both ways on loopback', async () => {
  const p = await udpPair(SESSION)
  const atRig = collect(p.b)
  const atServer = collect(p.a)
  p.a.send(encodeControl({ type: MSG.INIT, body: { position: 0, timeline: null } }, { sessionId: SESSION }))
  await until(() => atRig.frames.length === 1)
  for (let burst = 0; burst < 10; burst++) {
    for (let i = 0; i < 50; i++) p.a.send(audio(burst * 50 + i), 'media')
    await new Promise((r) => setTimeout(r, 2))
  }
  p.b.send(terminate('rig out'))
  await until(() => atRig.frames.length === 501 && atServer.frames.length === 1)
  atRig.frames.slice(1).forEach((f, i) => assert.is(hex(f), hex(audio(i))))
  assert.is(p.a.stats.queuedBytes, 0)
  await p.a.close()
  await p.b.close()
  await p.done()
})

test('udp listener: strangers are counted and ignored; short CONNECTs do not open a session', async () => {
  let opened = 0
  const listener = await listenUdp('127.0.0.1', 0, () => opened++, { sessionId: SESSION })
  const s = dgram.createSocket('udp4')
  const send = (b: Uint8Array) => new Promise<void>((r) => s.send(b, listener.port, '127.0.0.1', () => r()))
  await send(Buffer.from('hello?'))
  await send(connectDatagram().subarray(0, 100))
  await send(audio(1))
  await until(() => listener.stats.strangerDatagrams === 3)
  assert.is(opened, 0)
  await send(connectDatagram())
  await until(() => opened === 1)
  // A rig of another protocol version is told why, in a datagram smaller than its own.
  const v2 = connectDatagram()
  v2[2] = 2
  const other = dgram.createSocket('udp4')
  const answer = new Promise<Buffer>((r) => other.once('message', r))
  other.send(v2, listener.port, '127.0.0.1')
  const reply = await answer
  other.close()
  assert.ok(reply.byteLength < MIN_CONNECT_BYTES)
  assert.match(bodyOf(reply), /rig speaks Synchro protocol v2, this side speaks v1/)
  s.close()
  await listener.close()
})

test('udp connect: knocks every 200 ms of its clock, and gives up when its clock says so', async () => {
  const { connectUdp } = await import('../../transports/udp-connect.js')
  // A server that hears the knocks and never answers.
  const silent = dgram.createSocket('udp4')
  const knocks: number[] = []
  silent.on('message', (m) => knocks.push(m.byteLength))
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()))
  const clock = new ManualClock()
  let failure: Error | undefined
  const connecting = connectUdp('127.0.0.1', silent.address().port, 1000, { clock }).catch((err: Error) => (failure = err))
  await until(() => knocks.length === 1)
  for (let n = 2; n <= 5; n++) {
    await clock.advance(200)
    await until(() => knocks.length === n)
  }
  assert.ok(
    knocks.every((b) => b === MIN_CONNECT_BYTES),
    'each knock is a padded CONNECT',
  )
  assert.is(failure, undefined, 'still knocking at 800 ms')
  await clock.advance(200)
  await connecting
  assert.match(String(failure?.message), /^cannot reach 127\.0\.0\.1:\d+ over UDP: no answer within 1\.0 s/)
  assert.is(clock.pendingTimers, 0, 'no knock left scheduled')
  silent.close()
})

test('udp connect: nothing listening gives one clear line', async () => {
  const { connectUdp } = await import('../../transports/udp-connect.js')
  const probe = dgram.createSocket('udp4')
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()))
  const port = probe.address().port
  probe.close()
  try {
    await connectUdp('127.0.0.1', port, 1000)
    assert.unreachable('should fail')
  } catch (err) {
    assert.match((err as Error).message, /^cannot reach 127\.0\.0\.1:\d+ over UDP: (connection refused|no answer)/)
  }
})

test.run()
void HEADER_BYTES
