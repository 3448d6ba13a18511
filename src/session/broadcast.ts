// The server's audio fan-out: each broadcast is encoded once (by the machine) and the same
// bytes go to every rig. TCP and memory rigs get the frame itself; UDP rigs get the datagrams
// the packetizer made of it (MTU segments, or a redundant BUNDLE), made once for all of them.

import type { AudioPacketizer } from '../codec/datagrams.js'
import type { Transport } from '../../transports/transport.js'
import type { PeerId } from './server-machine.js'

export class Broadcaster {
  /** Muted rigs' silent copies get their own packetizer, so redundancy bundles never mix the two streams. */
  private readonly silentPacketizer: AudioPacketizer
  /** Broadcasts of the show's audio (silent copies for muted rigs are not counted). */
  packetsBroadcast = 0

  constructor(
    private readonly packetizer: AudioPacketizer,
    private readonly transportOf: (peer: PeerId) => Transport | undefined,
  ) {
    this.silentPacketizer = packetizer.twin()
  }

  /** Sends one encoded AUDIO frame to `peers`; `silent`: the muted rigs' copy. */
  send(peers: readonly PeerId[], frame: Uint8Array, silent: boolean): void {
    const packetizer = silent ? this.silentPacketizer : this.packetizer
    let datagrams: readonly Uint8Array[] | undefined
    for (const peer of peers) {
      const t = this.transportOf(peer)
      if (t === undefined) continue
      if (t.kind !== 'udp') {
        t.send(frame, 'media')
        continue
      }
      datagrams ??= packetizer.datagrams(frame)
      for (const d of datagrams) t.send(d, 'media')
    }
    // No UDP rig needed it: the packetizer still keeps it as history for the next bundles.
    if (datagrams === undefined) packetizer.skip(frame)
    if (!silent) this.packetsBroadcast++
  }
}
