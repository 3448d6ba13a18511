// One side's MIDI on a manual clock: the journal out to every peer (one encoding, the same
// bytes to each), a stream in per peer (ordered, delivered, acknowledged on lossy links),
// release when a peer departs or moves or the stream breaks, the panic, and the figures.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame } from '../../src/codec/messages.js'
import { decodeMidiAck, decodeMidiPayload, MIDI_MAX_PAYLOAD, type MidiPayload } from '../../src/codec/midi.js'
import type { MidiOutput } from '../../src/midi/endpoint.js'
import { MidiHub, type MidiHubOptions } from '../../src/midi/midi-hub.js'
import { CompiledRoute, MidiRouteSchema } from '../../src/midi/route.js'
import { ManualClock, settle } from '../helpers/manual-clock.js'

const SESSION = 0x55

/** A hub whose peers are entries in `links` (reliable or not) and whose frames are recorded per peer. */
function hub(links: Record<number, boolean>, over: Partial<MidiHubOptions> = {}) {
  const clock = new ManualClock()
  const frames: Array<{ peer: number; frame: Uint8Array }> = []
  const played: number[][] = []
  let closed = 0
  const output: MidiOutput = { description: 'out', send: (d) => void played.push([...d]), close: async () => void closed++ }
  const h = new MidiHub({
    clock,
    sessionId: () => SESSION,
    positionNow: () => 0,
    send: (peer, frame) => frames.push({ peer, frame }),
    reliable: (peer) => links[peer],
    outputs: [output],
    ...over,
  })
  return { clock, h, frames, played, closed: () => closed }
}

const note = (serial: number, ...data: number[]) => ({ serial, position: 0, flags: 0, data: Uint8Array.from(data) })
const payload = (oldest: number, ...events: ReturnType<typeof note>[]): MidiPayload => ({ oldest, events })
const typeOf = (f: Uint8Array) => decodeFrame(f, MIDI_MAX_PAYLOAD).header.type
const dataOf = (f: Uint8Array) => decodeMidiPayload(decodeFrame(f, MIDI_MAX_PAYLOAD).payload).events.map((e) => [...e.data])

test('a message into the show is encoded once and the same bytes go to every peer of a kind', async () => {
  const { h, frames } = hub({ 1: true, 2: true, 3: false, 4: false })
  for (const peer of [1, 2, 3, 4]) h.addPeer(peer)
  h.push(Uint8Array.of(0x90, 60, 100))
  await settle()
  assert.equal(frames.map((f) => f.peer).sort(), [1, 2, 3, 4])
  const to = (peer: number) => frames.find((f) => f.peer === peer)!.frame
  assert.ok(to(1) === to(2), 'one encoding for the reliable peers')
  assert.ok(to(3) === to(4), 'one encoding for the lossy peers (their tail of unacknowledged messages)')
  assert.equal(dataOf(to(1)), [[0x90, 60, 100]])
  assert.equal(dataOf(to(3)), [[0x90, 60, 100]])
  assert.is(h.stats().messagesIn, 1)
})

test("a peer's stream is delivered in order once each; a lossy link is acknowledged, a reliable one is not", () => {
  const { h, frames, played } = hub({ 1: false, 2: true })
  h.receive(1, payload(0, note(1, 0x90, 61, 1)))
  assert.equal(played, [], 'serial 0 is missing: serial 1 waits')
  h.receive(1, payload(0, note(0, 0x90, 60, 1), note(1, 0x90, 61, 1)))
  assert.equal(played, [
    [0x90, 60, 1],
    [0x90, 61, 1],
  ])
  const acks = frames.filter((f) => f.peer === 1)
  assert.equal(
    acks.map((f) => typeOf(f.frame)),
    [MSG.MIDI_ACK, MSG.MIDI_ACK],
  )
  assert.is(decodeMidiAck(decodeFrame(acks[1]!.frame, 64).payload), 2, 'everything before serial 2 has arrived')
  assert.is(decodeFrame(acks[1]!.frame, 64).header.sessionId, SESSION)
  h.receive(2, payload(0, note(0, 0x91, 62, 1)))
  assert.is(frames.filter((f) => f.peer === 2).length, 0, 'no ACK over TCP')
  assert.equal([h.receivedFrom(1), h.receivedFrom(2), h.receivedFrom(3)], [2, 1, 0])
  const s = h.stats()
  assert.equal([s.received, s.duplicates, s.messagesOut], [3, 1, 3])
})

test('a gap the sender gave up on releases what the stream held before going on', () => {
  const { h, played } = hub({ 1: true })
  h.receive(1, payload(0, note(0, 0x90, 60, 100)))
  h.receive(1, payload(5, note(5, 0x90, 70, 100)))
  assert.equal(played, [
    [0x90, 60, 100],
    [0x80, 60, 0],
    [0x90, 70, 100],
  ])
  assert.equal([h.stats().lost, h.stats().released], [4, 1])
})

test('a departing peer: what it held is released, it leaves the journal, its figures stay in the totals', async () => {
  const { h, frames, played } = hub({ 1: true, 2: true })
  h.addPeer(1)
  h.addPeer(2)
  h.receive(1, payload(0, note(0, 0x90, 60, 100), note(1, 0xb0, 64, 127)))
  h.removePeer(1)
  assert.equal(played.slice(2), [
    [0x80, 60, 0],
    [0xb0, 64, 0],
  ])
  assert.is(h.receivedFrom(1), 0)
  const s = h.stats()
  assert.equal([s.received, s.messagesOut, s.released], [2, 4, 2], 'totals never go back')
  h.push(Uint8Array.of(0x90, 1, 1))
  await settle()
  assert.equal(
    frames.map((f) => f.peer),
    [2],
  )
  h.removePeer(9) // unknown: nothing happens
  assert.equal(h.stats().released, 2)
})

test('a moved peer keeps its place: its stream in goes on, what the old path missed is resent on the new one', async () => {
  const links: Record<number, boolean> = { 1: false, 4: true }
  const { h, frames, played } = hub(links)
  h.addPeer(1)
  h.push(Uint8Array.of(0x90, 60, 100))
  await settle()
  h.receive(1, payload(0, note(0, 0x90, 40, 1)))
  frames.length = 0
  h.movePeer(1, 4)
  assert.equal(
    frames.map((f) => [f.peer, typeOf(f.frame)]),
    [[4, MSG.MIDI]],
    'unacknowledged on UDP: sent again, now, on TCP',
  )
  h.receive(4, payload(0, note(0, 0x90, 40, 1), note(1, 0x90, 41, 1)))
  assert.equal(
    played,
    [
      [0x90, 40, 1],
      [0x90, 41, 1],
    ],
    'the copy of serial 0 is dropped, serial 1 follows',
  )
  assert.equal([h.receivedFrom(1), h.receivedFrom(4)], [0, 2])
})

test('releaseHeld (a switch) and stop (the end) silence what is held; stop ends the repeats', async () => {
  const { clock, h, played } = hub({ 1: false })
  h.addPeer(1)
  h.receive(1, payload(0, note(0, 0x90, 60, 100)))
  h.releaseHeld()
  assert.equal(played.at(-1), [0x80, 60, 0])
  h.receive(1, payload(0, note(1, 0x90, 61, 100)))
  h.push(Uint8Array.of(0xf8))
  await settle()
  h.stop()
  assert.equal(played.at(-1), [0x80, 61, 0])
  await clock.advance(100)
  assert.is(clock.pendingTimers, 0)
})

test('panic: all notes and sustain off to every peer and every output, held notes released first', async () => {
  const { h, frames, played } = hub({ 1: true })
  h.addPeer(1)
  h.receive(1, payload(0, note(0, 0x90, 60, 100)))
  played.length = 0
  h.panic()
  await settle()
  assert.equal(played[0], [0x80, 60, 0])
  const panic = Array.from({ length: 16 }, (_, ch) => [
    [0xb0 | ch, 64, 0],
    [0xb0 | ch, 123, 0],
  ]).flat()
  assert.equal(played.slice(1), panic)
  assert.equal(dataOf(frames.at(-1)!.frame), panic)
  assert.equal(h.stats().messagesOut, 1 + 1 + 32, 'the note, its release, and the panic')
})

test('the route and show timing apply to what peers send, late ones are counted; closeOutputs closes the outputs', async () => {
  // Show position P (48 kHz) leaves at 10 ms + P / 48.
  const showTime = { localTimeOf: (p: number) => 10 + p / 48, positionAt: (ms: number) => Math.floor((ms - 10) * 48) }
  const route = new CompiledRoute(MidiRouteSchema.parse({ channels: [1] }))
  const { clock, h, played, closed } = hub({ 1: true }, { route, timing: 'show', showTime: () => showTime })
  h.receive(1, payload(0, note(0, 0x91, 60, 100), { ...note(1, 0x90, 61, 100), position: 480 }))
  assert.equal(played, [], 'channel 2 is filtered out; channel 1 waits for its show time, 20 ms')
  await clock.advance(19)
  assert.equal(played, [])
  await clock.advance(1)
  assert.equal(played, [[0x90, 61, 100]])
  h.receive(1, payload(0, { ...note(2, 0x80, 61, 0), position: 0 }))
  assert.equal(played.at(-1), [0x80, 61, 0], 'due at 10 ms, arrived at 20: at once')
  assert.is(h.stats().late, 1)
  h.removePeer(1)
  assert.is(h.stats().late, 1, 'a departed peer keeps its count')
  await h.closeOutputs()
  assert.is(closed(), 1)
})

test("whenDelivered waits for every peer's scheduled MIDI to leave", async () => {
  const showTime = { localTimeOf: (p: number) => p / 48, positionAt: (ms: number) => Math.floor(ms * 48) }
  const { clock, h, played } = hub({ 1: true, 2: false }, { timing: 'show', showTime: () => showTime })
  h.receive(1, payload(0, { ...note(0, 0x90, 60, 100), position: 480 }))
  h.receive(2, payload(0, { ...note(0, 0x90, 61, 100), position: 960 }))
  let delivered = false
  void h.whenDelivered().then(() => (delivered = true))
  await clock.advance(10)
  assert.equal([played.length, delivered], [1, false])
  await clock.advance(10)
  assert.equal([played.length, delivered], [2, true])
})

test('immediate (the default): what peers send goes out at once, whatever the show time says', () => {
  const showTime = { localTimeOf: () => 1000, positionAt: () => 0 }
  const { h, played } = hub({ 1: true }, { showTime: () => showTime })
  h.receive(1, payload(0, note(0, 0x90, 60, 100)))
  assert.equal(played, [[0x90, 60, 100]])
  assert.is(h.stats().late, 0)
})

test.run()
