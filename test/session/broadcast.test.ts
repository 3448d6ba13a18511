// The audio fan-out: one encoding, the same bytes to every rig; UDP datagrams made once per
// broadcast for all UDP rigs; redundancy history kept even when no UDP rig listens; muted
// rigs' silent stream bundled apart from the show's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AudioPacketizer, unbundle } from '../../src/codec/datagrams.js'
import { codecOf } from '../../src/codec/format.js'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame, encodeFrame, MEDIA_MAX_PAYLOAD } from '../../src/codec/messages.js'
import { Broadcaster } from '../../src/session/broadcast.js'
import { emptyStats, TransportEmitter, type FrameClass, type Transport } from '../../transports/transport.js'
import { FORMAT, SESSION } from '../helpers/session.js'

/** A transport that keeps what it was given, by reference. */
class Recorder extends TransportEmitter implements Transport {
  readonly reliable: boolean
  readonly remote = 'recorder'
  readonly stats = emptyStats()
  readonly sent: Array<{ frame: Uint8Array; cls: FrameClass | undefined }> = []
  constructor(readonly kind: 'tcp' | 'udp' | 'memory') {
    super()
    this.reliable = kind !== 'udp'
  }
  send(frame: Uint8Array, cls?: FrameClass): boolean {
    this.sent.push({ frame, cls })
    return true
  }
  setMaxPayload(): void {}
  async close(): Promise<void> {}
  abort(): void {}
}

const audio = (seq: number, fill = seq + 1) =>
  encodeFrame(MSG.AUDIO, new Uint8Array(512).fill(fill), { codec: codecOf(FORMAT.format), seq, sessionId: SESSION, timestamp: seq * 128 })

function fanOut(kinds: Array<'tcp' | 'udp' | 'memory'>, maxDatagram = 1452, redundancy = 0) {
  const rigs = new Map(kinds.map((k, i) => [i + 1, new Recorder(k)] as const))
  const b = new Broadcaster(new AudioPacketizer(FORMAT, maxDatagram, redundancy), (peer) => rigs.get(peer))
  return { b, rig: (peer: number) => rigs.get(peer)! }
}

test('TCP and memory rigs get the very frame the machine encoded, as media', () => {
  const { b, rig } = fanOut(['tcp', 'memory'])
  const frame = audio(0)
  b.send([1, 2], frame, false)
  assert.ok(rig(1).sent[0]!.frame === frame && rig(2).sent[0]!.frame === frame)
  assert.equal([rig(1).sent[0]!.cls, rig(2).sent[0]!.cls], ['media', 'media'])
  assert.is(b.packetsBroadcast, 1)
})

test('UDP rigs: the frame is cut to the MTU once, and every UDP rig gets the same segments', () => {
  const { b, rig } = fanOut(['udp', 'tcp', 'udp'], 300)
  const frame = audio(3)
  b.send([1, 2, 3], frame, false)
  const segments = rig(1).sent.map((s) => s.frame)
  assert.is(segments.length, 2, '512 bytes of audio in 300-byte datagrams')
  assert.ok(
    segments.every((s, i) => s === rig(3).sent[i]!.frame),
    'the same bytes, not a second cut',
  )
  assert.equal(
    segments.map((s) => decodeFrame(s, MEDIA_MAX_PAYLOAD).header.timestamp),
    [384, 384 + 70],
  )
  assert.ok(rig(2).sent[0]!.frame === frame, 'TCP still gets the whole frame')
})

test('a peer that has gone is skipped', () => {
  const { b, rig } = fanOut(['tcp'])
  b.send([7, 1], audio(0), false)
  assert.is(rig(1).sent.length, 1)
})

test('redundancy: a frame no UDP rig needed still goes into the next bundle', () => {
  const { b, rig } = fanOut(['tcp', 'udp'], 1452, 1)
  const first = audio(0)
  b.send([1], first, false) // only the TCP rig is streaming
  const second = audio(1)
  b.send([1, 2], second, false)
  const [bundle] = rig(2).sent.map((s) => s.frame)
  assert.is(decodeFrame(bundle!, MEDIA_MAX_PAYLOAD).header.type, MSG.BUNDLE)
  assert.equal(
    unbundle(bundle!, MEDIA_MAX_PAYLOAD).map((f) => Buffer.from(f)),
    [Buffer.from(first), Buffer.from(second)],
  )
})

test("muted rigs' silent copies are bundled apart, and not counted as broadcasts", () => {
  const { b, rig } = fanOut(['udp', 'udp'], 1452, 1)
  const real = [audio(0, 7), audio(1, 7)]
  const silent = [audio(0, 0), audio(1, 0)]
  for (let i = 0; i < 2; i++) {
    b.send([1], real[i]!, false)
    b.send([2], silent[i]!, true)
  }
  const lastOf = (peer: number) => unbundle(rig(peer).sent.at(-1)!.frame, MEDIA_MAX_PAYLOAD).map((f) => Buffer.from(f))
  assert.equal(
    lastOf(1),
    real.map((f) => Buffer.from(f)),
  )
  assert.equal(
    lastOf(2),
    silent.map((f) => Buffer.from(f)),
    "no real audio in the muted rig's bundles",
  )
  assert.is(b.packetsBroadcast, 2)
})

test.run()
