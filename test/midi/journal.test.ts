// The journal and the receiver together, over a seeded lossy path on a manual clock:
// repetition recovers every single loss, copies are dropped, order is kept, and what the
// sender gives up on shows up as a gap (so held notes can be released).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MidiJournal, JOURNAL_MAX_AGE_MS, RESEND_MS } from '../../src/midi/journal.js'
import { MidiReceiver } from '../../src/midi/receiver.js'
import { decodeFrame } from '../../src/codec/messages.js'
import { decodeMidiPayload, MIDI_MAX_PAYLOAD } from '../../src/codec/midi.js'

function rng(seed: number) {
  let s = seed >>> 0
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32
}
const note = (i: number) => Uint8Array.of(0x90, i % 128, 1 + (i % 100))
const payload = (f: Uint8Array) => decodeMidiPayload(decodeFrame(f, MIDI_MAX_PAYLOAD).payload)

test('UDP peer at 10% loss both ways: every message arrives once, in order, with repeats every RESEND_MS', () => {
  const j = new MidiJournal(() => 1)
  const r = new MidiReceiver()
  const lose = rng(7)
  j.addPeer(1, false, 0)
  const got: number[] = []
  let sentFrames = 0
  const carry = (now: number, resend: boolean) => {
    for (const s of j.flush(now, resend)) {
      for (const f of s.frames) {
        sentFrames++
        if (lose() < 0.1) continue // server -> rig lost
        const { messages } = r.receive(payload(f))
        for (const m of messages) got.push(m.data[1]!)
        if (lose() >= 0.1) j.ack(1, r.ackSerial) // rig -> server ACK, 10% lost
      }
    }
  }
  let now = 0
  for (let i = 0; i < 1000; i++) {
    now += 3
    j.push(note(i), i, now)
    carry(now, false)
    if (i % 4 === 0) carry(now + 1, true)
  }
  for (let k = 0; k < 50 && j.awaitingAcks; k++) carry((now += RESEND_MS), true)
  assert.equal(
    got,
    Array.from({ length: 1000 }, (_, i) => i % 128),
  )
  assert.is(r.stats.lost, 0)
  assert.ok(r.stats.duplicates > 0, 'repetition brought copies, and they were dropped')
  assert.is(j.awaitingAcks, false)
  assert.ok(sentFrames < 4000, `bounded repetition (${sentFrames} frames)`)
})

test('a reliable (TCP) peer gets each message once and never waits for ACKs', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, true, 0)
  j.push(note(1), 0, 0)
  j.push(note(2), 0, 0)
  const out = j.flush(0)
  assert.is(out.length, 1)
  assert.equal(
    payload(out[0]!.frames[0]!).events.map((e) => e.data[1]),
    [1, 2],
  )
  assert.equal(j.flush(RESEND_MS * 3, true), [])
  assert.is(j.awaitingAcks, false)
})

test('a peer that never acknowledges: the journal gives up after JOURNAL_MAX_AGE_MS and the receiver sees a gap', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, false, 0)
  const r = new MidiReceiver()
  j.push(note(1), 0, 0)
  j.flush(0) // lost on the wire
  j.push(note(2), 0, JOURNAL_MAX_AGE_MS + 100)
  const out = j.flush(JOURNAL_MAX_AGE_MS + 100)
  assert.is(j.expired, 1)
  const { messages, gap } = r.receive(payload(out[0]!.frames[0]!))
  // The receiver had not started, so it starts where the sender still has messages: no gap yet.
  assert.equal(
    messages.map((m) => m.data[1]),
    [2],
  )
  assert.is(gap, false)
  // A receiver that had started earlier sees serial 0 missing and gives it up.
  const r2 = new MidiReceiver()
  r2.startAt(0)
  const second = r2.receive(payload(out[0]!.frames[0]!))
  assert.is(second.gap, true)
  assert.is(r2.stats.lost, 1)
  assert.equal(
    second.messages.map((m) => m.data[1]),
    [2],
  )
})

test('memory stays bounded when a peer stops acknowledging', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, false, 0)
  for (let i = 0; i < 20000; i++) {
    j.push(note(i), i, i)
    j.flush(i)
  }
  const frames = j.flush(20000, true).flatMap((s) => s.frames)
  const held = frames.reduce((n, f) => n + payload(f).events.length, 0)
  assert.ok(held <= 1024, `resends at most JOURNAL_MAX_EVENTS (${held})`)
})

test('a long sysex travels in fragments and is joined whole; a lost fragment that is given up drops the sysex only', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, true, 0)
  const big = Uint8Array.from([0xf0, ...Array.from({ length: 5000 }, (_, i) => i & 0x7f), 0xf7])
  j.push(big, 0, 0)
  j.push(note(5), 0, 0)
  const r = new MidiReceiver()
  const got = j
    .flush(0)
    .flatMap((s) => s.frames)
    .flatMap((f) => r.receive(payload(f)).messages)
  assert.is(got.length, 2)
  assert.equal(Array.from(got[0]!.data), Array.from(big))
})

test('reordering: a frame that overtakes the one before it waits, then both come out in order', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, false, 0)
  const sysex = (i: number) => Uint8Array.from([0xf0, i, ...new Array(400).fill(1), 0xf7])
  for (let i = 0; i < 6; i++) j.push(sysex(i), 0, 0)
  const frames = j.flush(0)[0]!.frames
  assert.ok(frames.length >= 2, 'the tail needs more than one datagram')
  const r = new MidiReceiver()
  r.startAt(0)
  const later = frames.slice(1).flatMap((f) => r.receive(payload(f)).messages)
  assert.equal(later, [], 'held until the gap before them fills')
  const all = r.receive(payload(frames[0]!))
  assert.is(all.gap, false)
  assert.equal(
    all.messages.map((m) => m.data[1]),
    [0, 1, 2, 3, 4, 5],
  )
})

test('a TCP frame that starts after what the receiver expects is a gap given up at once (TCP never reorders)', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, true, 0)
  j.push(note(1), 0, 0)
  j.flush(0)
  j.push(note(2), 0, 0)
  const b = j.flush(0)[0]!.frames[0]!
  const r = new MidiReceiver()
  r.startAt(0)
  const got = r.receive(payload(b))
  assert.is(got.gap, true)
  assert.equal(
    got.messages.map((m) => m.data[1]),
    [2],
  )
})

test('a switch from UDP to TCP sends what the UDP path had not confirmed once more, on the new connection', () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, false, 0)
  j.push(note(1), 0, 0)
  j.push(note(2), 0, 0)
  j.flush(0)
  j.ack(1, 1) // only the first arrived
  j.movePeer(1, 2, true)
  const out = j.flush(1)
  assert.equal(
    out.map((s) => s.peers),
    [[2]],
  )
  assert.equal(
    payload(out[0]!.frames[0]!).events.map((e) => e.data[1]),
    [2],
  )
  assert.is(j.awaitingAcks, false)
})

test("once a stuck peer's messages expire, nothing is left to wait for (the resend timer stops)", () => {
  const j = new MidiJournal(() => 1)
  j.addPeer(1, false, 0)
  j.push(note(1), 0, 0)
  j.flush(0)
  assert.is(j.awaitingAcks, true)
  j.flush(JOURNAL_MAX_AGE_MS + 1, true)
  assert.is(j.expired, 1)
  assert.is(j.awaitingAcks, false)
})

test.run()
