// A rig's session moving from one connection to another on the server (after RESUME): the
// counters, the MIDI journal's place and the MIDI stream in follow it; the old connection is
// retired quietly.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame } from '../../src/codec/messages.js'
import { decodeMidiPayload, MIDI_MAX_PAYLOAD } from '../../src/codec/midi.js'
import { MidiHub } from '../../src/midi/midi-hub.js'
import { PeerRegistry } from '../../src/session/peer-registry.js'
import { rebindSession } from '../../src/session/server-switch.js'
import { memoryPair } from '../../transports/memory.js'
import { collect } from '../helpers/transport-pairs.js'
import { ManualClock, settle } from '../helpers/manual-clock.js'

const quiet = { frame: () => {}, badFrame: () => {}, close: () => {} }

function moving() {
  const clock = new ManualClock()
  const peers = new PeerRegistry()
  const [oldServer, oldRig] = memoryPair()
  const [newServer, newRig] = memoryPair()
  const from = peers.add(oldServer, () => quiet)
  const to = peers.add(newServer, () => quiet)
  // The old connection stands for UDP (nothing acknowledged), the new one for TCP.
  const midi = new MidiHub({
    clock,
    sessionId: () => 1,
    positionNow: () => 0,
    send: (peer, frame) => peers.get(peer)?.send(frame, 'control'),
    reliable: (peer) => (peer === from ? false : peers.get(peer)?.reliable),
  })
  return { clock, peers, midi, from, to, oldRig: collect(oldRig), newRig: collect(newRig), oldServer }
}

test("the session's counters, MIDI out and MIDI in move to the new connection; the old one is closed", async () => {
  const m = moving()
  m.midi.addPeer(m.from)
  m.midi.push(Uint8Array.of(0x90, 60, 100))
  await settle()
  m.midi.receive(m.from, { oldest: 0, events: [{ serial: 0, position: 0, flags: 0, data: Uint8Array.of(0x90, 50, 1) }] })
  const sentBefore = m.oldServer.stats.bytesSent
  assert.ok(rebindSession(m.peers, m.midi, m.from, m.to))
  assert.is(m.peers.get(m.from), undefined)
  assert.is(m.peers.counters(m.to).bytesSent, sentBefore + m.peers.get(m.to)!.stats.bytesSent, 'counters carried')
  assert.is(await m.oldRig.closed, undefined, 'the old connection closed gracefully')
  await settle()
  const again = m.newRig.frames.filter((f) => decodeFrame(f, MIDI_MAX_PAYLOAD).header.type === MSG.MIDI)
  assert.equal(
    again.map((f) => decodeMidiPayload(decodeFrame(f, MIDI_MAX_PAYLOAD).payload).events.map((e) => [...e.data])),
    [[[0x90, 60, 100]]],
    'what the old path never confirmed is sent again on the new one at once',
  )
  assert.equal([m.midi.receivedFrom(m.from), m.midi.receivedFrom(m.to)], [0, 1], 'the stream in goes on under the new peer')
})

test('a session whose old connection is already gone is not moved', async () => {
  const m = moving()
  m.midi.addPeer(m.from)
  m.peers.retire(m.from)
  assert.not.ok(rebindSession(m.peers, m.midi, m.from, m.to))
  m.midi.push(Uint8Array.of(0x90, 61, 100))
  await settle()
  assert.equal(m.newRig.frames, [], 'the journal still has the old peer, not the new one')
})

test.run()
