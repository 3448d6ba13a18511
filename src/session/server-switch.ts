// The server's side of a transport switch, once the machine has matched a RESUME to a
// session: the rig's counters, its MIDI journal place and its MIDI stream in follow it to the
// new connection, and the old connection is retired quietly (no 'left': the rig has not gone).

import type { MidiHub } from '../midi/midi-hub.js'
import type { PeerRegistry } from './peer-registry.js'
import type { PeerId } from './server-machine.js'

/** Moves a session from connection `from` to `to`; false if `from` is already gone. */
export function rebindSession(peers: PeerRegistry, midi: MidiHub, from: PeerId, to: PeerId): boolean {
  if (!peers.rebind(from, to)) return false
  // After the registry: what the old path may not have delivered is resent on the new one at once.
  midi.movePeer(from, to)
  return true
}
