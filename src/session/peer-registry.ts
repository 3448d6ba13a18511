// The server's connections by PeerId: which transport a peer is, the listeners the runner
// put on it, the counters a rig's session carries across a transport switch, and the
// connections being retired (closed gracefully; shutdown waits for them to flush).

import type { Transport, TransportStats } from '../../transports/transport.js'
import type { SynchroError } from '../errors.js'
import type { PeerId } from './server-machine.js'

/** What a connection says happened on it, with the peer it was registered as. */
export interface PeerListeners {
  frame(bytes: Uint8Array): void
  badFrame(error: SynchroError): void
  close(err?: Error): void
}

/** A session's send counters: since the rig joined, across every connection it moved through. */
export interface PeerCounters {
  framesSent: number
  bytesSent: number
  framesDropped: number
  /** Control messages sent again because no ACK came (UDP). */
  retransmits: number
  /** Waiting in the current connection's queues (not carried: the old queue is flushed or gone). */
  queuedBytes: number
}

type Carried = Omit<PeerCounters, 'queuedBytes'>

/** UDP counts its retransmits beside the common stats. */
type StatsWithRetransmits = TransportStats & { retransmits?: number }

const NOTHING_CARRIED: Carried = { framesSent: 0, bytesSent: 0, framesDropped: 0, retransmits: 0 }

export class PeerRegistry {
  private nextPeer: PeerId = 1
  private readonly transports = new Map<PeerId, Transport>()
  private readonly detach = new Map<PeerId, () => void>()
  /** Counters of connections a session has moved away from, so its figures survive a switch. */
  private readonly carried = new Map<PeerId, Carried>()
  private readonly closing = new Set<Promise<void>>()

  /** Registers a new connection under a fresh PeerId and listens to it. */
  add(transport: Transport, listen: (peer: PeerId) => PeerListeners): PeerId {
    const peer = this.nextPeer++
    const on = listen(peer)
    const onFrame = (bytes: Uint8Array): void => on.frame(bytes)
    const onBad = (error: SynchroError): void => on.badFrame(error)
    const onClose = (err?: Error): void => on.close(err)
    this.transports.set(peer, transport)
    transport.on('frame', onFrame)
    transport.on('badFrame', onBad)
    transport.once('close', onClose)
    this.detach.set(peer, () => {
      transport.off('frame', onFrame)
      transport.off('badFrame', onBad)
      transport.off('close', onClose)
    })
    return peer
  }

  get(peer: PeerId): Transport | undefined {
    return this.transports.get(peer)
  }

  /** The peer's counters, with those its session carried from earlier connections; zeros for an unknown peer. */
  counters(peer: PeerId): PeerCounters {
    const t = this.transports.get(peer)?.stats as StatsWithRetransmits | undefined
    const c = this.carried.get(peer) ?? NOTHING_CARRIED
    return {
      framesSent: c.framesSent + (t?.framesSent ?? 0),
      bytesSent: c.bytesSent + (t?.bytesSent ?? 0),
      framesDropped: c.framesDropped + (t?.framesDropped ?? 0),
      queuedBytes: t?.queuedBytes ?? 0,
      retransmits: c.retransmits + (t?.retransmits ?? 0),
    }
  }

  /**
   * Forgets a peer (its connection closed, or is being retired). Its listeners stay until it
   * closes: frames still in flight reach the machine, which no longer knows the peer.
   */
  forget(peer: PeerId): void {
    this.transports.delete(peer)
    this.detach.delete(peer)
    this.carried.delete(peer)
  }

  /** Forgets a peer and closes its connection gracefully; false if there was none. */
  retire(peer: PeerId): boolean {
    const t = this.transports.get(peer)
    if (!t) return false
    this.forget(peer)
    this.closeTracked(t)
    return true
  }

  /**
   * A session moved from one connection to another (RESUME): the old one's listeners are
   * removed, its counters are carried to the new one, and it is retired without a word.
   */
  rebind(from: PeerId, to: PeerId): boolean {
    const old = this.transports.get(from)
    if (!old) return false
    this.detach.get(from)?.()
    const s = old.stats as StatsWithRetransmits
    const c = this.carried.get(from) ?? NOTHING_CARRIED
    this.carried.set(to, {
      framesSent: c.framesSent + s.framesSent,
      bytesSent: c.bytesSent + s.bytesSent,
      framesDropped: c.framesDropped + s.framesDropped,
      retransmits: c.retransmits + (s.retransmits ?? 0),
    })
    this.forget(from)
    this.closeTracked(old)
    return true
  }

  /** Resolves once every retired connection has closed. */
  async settled(): Promise<void> {
    await Promise.all([...this.closing])
  }

  private closeTracked(t: Transport): void {
    const p = t.close().finally(() => this.closing.delete(p))
    this.closing.add(p)
  }
}
