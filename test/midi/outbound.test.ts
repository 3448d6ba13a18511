// The sending end of a MIDI stream on a manual clock: stamped with the show position, one
// flush per turn of the event loop, repeats for unacknowledged UDP peers until they ack,
// inputs that end release what they held, a moved peer is caught up at once.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeFrame } from '../../src/codec/messages.js'
import { decodeMidiPayload, MIDI_MAX_PAYLOAD } from '../../src/codec/midi.js'
import type { MidiInput, MidiInputHandlers } from '../../src/midi/endpoint.js'
import { RESEND_MS, type MidiSend } from '../../src/midi/journal.js'
import { MidiOutbound } from '../../src/midi/outbound.js'
import { ManualClock, settle } from '../helpers/manual-clock.js'

/** An input the test plays by hand. */
class HandInput implements MidiInput {
  readonly description = 'hand'
  invalidBytes = 0
  on: MidiInputHandlers | undefined
  stopped = false
  constructor(readonly finite: boolean) {}
  start(on: MidiInputHandlers): void {
    this.on = on
  }
  stop(): void {
    this.stopped = true
  }
}

function outbound(o: { inputs?: MidiInput[]; position?: () => number | undefined } = {}) {
  const clock = new ManualClock()
  const sent: Array<{ at: number; peers: number[]; events: Array<{ serial: number; position: number; data: number[] }> }> = []
  const ended: string[] = []
  const out = new MidiOutbound({
    inputs: o.inputs ?? [],
    clock,
    sessionId: () => 9,
    positionNow: o.position ?? (() => Math.round(clock.now() * 48)),
    send: (s: MidiSend) => {
      for (const f of s.frames) {
        const { events } = decodeMidiPayload(decodeFrame(f, MIDI_MAX_PAYLOAD).payload)
        sent.push({
          at: clock.now(),
          peers: [...s.peers],
          events: events.map((e) => ({ serial: e.serial, position: e.position, data: [...e.data] })),
        })
      }
    },
    onInputsEnded: () => ended.push('all'),
    onInputError: (input, err) => ended.push(`${input.description}: ${err.message}`),
  })
  return { clock, out, sent, ended }
}

test('nothing is sent before the show has a position; those messages are only counted', async () => {
  const o = outbound({ position: () => undefined })
  o.out.addPeer(1, true)
  o.out.push(Uint8Array.of(0x90, 60, 100))
  await settle()
  assert.equal(o.sent, [])
  assert.equal([o.out.messagesIn, o.out.messagesBeforeStart], [0, 1])
})

test('a burst in one turn goes out as one flush, stamped where each entered, to a reliable peer once', async () => {
  const o = outbound()
  o.out.addPeer(1, true)
  await o.clock.advance(10)
  o.out.push(Uint8Array.of(0x90, 60, 100))
  o.out.push(Uint8Array.of(0x80, 60, 0))
  assert.equal(o.sent, [], 'not before the turn ends')
  await settle()
  assert.equal(o.sent, [
    {
      at: 10,
      peers: [1],
      events: [
        { serial: 0, position: 480, data: [0x90, 60, 100] },
        { serial: 1, position: 480, data: [0x80, 60, 0] },
      ],
    },
  ])
  await o.clock.advance(100)
  assert.is(o.sent.length, 1, 'a reliable peer is never sent a repeat')
  assert.is(o.out.messagesIn, 2)
})

test("an input's batchEnd sends what it gave at once, in one flush, and the turn's end then sends nothing more", async () => {
  const keys = new HandInput(false)
  const o = outbound({ inputs: [keys] })
  o.out.addPeer(1, false)
  o.out.start()
  keys.on!.message(Uint8Array.of(0x90, 60, 100))
  keys.on!.message(Uint8Array.of(0x90, 64, 100))
  assert.equal(o.sent, [], 'nothing before the batch is complete')
  keys.on!.batchEnd!()
  assert.equal(
    o.sent.map((s) => s.events.map((e) => e.data)),
    [
      [
        [0x90, 60, 100],
        [0x90, 64, 100],
      ],
    ],
    'sent before the turn ends, both in one frame',
  )
  keys.on!.batchEnd!()
  await settle()
  assert.is(o.sent.length, 1, 'no second copy: neither the repeated batchEnd nor the microtask sends again')
})

test('a UDP peer is sent what it has not acknowledged every RESEND_MS, until it acknowledges', async () => {
  const o = outbound()
  o.out.addPeer(2, false)
  o.out.push(Uint8Array.of(0x90, 61, 100))
  await settle()
  await o.clock.advance(RESEND_MS * 2)
  assert.equal(
    o.sent.map((s) => [s.at, s.events.map((e) => e.serial)]),
    [
      [0, [0]],
      [RESEND_MS, [0]],
      [RESEND_MS * 2, [0]],
    ],
  )
  o.out.ack(2, 1)
  await o.clock.advance(RESEND_MS * 5)
  assert.is(o.sent.length, 3, 'acknowledged: no more repeats')
})

test('flushNow sends at once (before a TERMINATE that must not overtake it)', () => {
  const o = outbound()
  o.out.addPeer(1, true)
  o.out.push(Uint8Array.of(0xb0, 7, 90))
  o.out.flushNow()
  assert.equal(
    o.sent.map((s) => s.events.map((e) => e.data)),
    [[[0xb0, 7, 90]]],
  )
})

test('a peer moved to TCP gets what the old path had not confirmed, at once, on the new key', async () => {
  const o = outbound()
  o.out.addPeer(1, false)
  o.out.push(Uint8Array.of(0x90, 62, 100))
  await settle()
  o.sent.length = 0
  o.out.movePeer(1, 5, true)
  assert.equal(
    o.sent.map((s) => [s.peers, s.events.map((e) => e.serial)]),
    [[[5], [0]]],
  )
})

test('a removed peer is sent nothing more, and no repeats are kept for it', async () => {
  const o = outbound()
  o.out.addPeer(1, false)
  o.out.push(Uint8Array.of(0x90, 63, 100))
  await settle()
  o.out.removePeer(1)
  o.sent.length = 0
  await o.clock.advance(RESEND_MS * 3)
  o.out.push(Uint8Array.of(0x80, 63, 0))
  await settle()
  assert.equal(o.sent, [])
})

test('inputs: read from start(); an input ending with notes held releases them into the stream; the end and errors are told', async () => {
  const file = new HandInput(true)
  const port = new HandInput(false)
  port.invalidBytes = 3
  const o = outbound({ inputs: [file, port] })
  o.out.addPeer(1, true)
  assert.is(file.on, undefined, 'not read before start')
  o.out.start()
  o.out.start()
  file.on!.message(Uint8Array.of(0x90, 64, 100))
  port.on!.message(Uint8Array.of(0x91, 65, 100))
  await settle()
  file.on!.end(new Error('truncated file'))
  // The note-off for what the file left held goes out with the end (flushed, not left for the turn).
  assert.equal(
    o.sent.flatMap((s) => s.events.map((e) => e.data)),
    [
      [0x90, 64, 100],
      [0x91, 65, 100],
      [0x80, 64, 0],
    ],
  )
  assert.equal(o.ended, ['hand: truncated file', 'all'], 'the only finite input has ended')
  assert.is(o.out.invalidBytes, 3)
  assert.ok(o.out.hasInputs)
  o.out.stop()
  assert.ok(file.stopped && port.stopped)
})

test('stop ends the repeats', async () => {
  const o = outbound()
  o.out.addPeer(2, false)
  o.out.push(Uint8Array.of(0x90, 66, 100))
  await settle()
  o.out.stop()
  await o.clock.advance(RESEND_MS * 5)
  assert.is(o.sent.length, 1)
  assert.is(o.clock.pendingTimers, 0)
})

test('messages the journal gives up on are counted as expired', async () => {
  const o = outbound()
  o.out.addPeer(2, false)
  o.out.push(Uint8Array.of(0x90, 67, 100))
  await settle()
  await o.clock.advance(2100) // past JOURNAL_MAX_AGE_MS, never acknowledged
  o.out.push(Uint8Array.of(0x80, 67, 0))
  await settle()
  assert.is(o.out.expired, 1)
})

test.run()
