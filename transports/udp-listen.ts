// The server's UDP endpoint: one socket on the show's port. Datagrams are demultiplexed
// by source address to one UdpTransport per rig; a stranger's datagram opens a session
// only if it is a padded CONNECT of our version (another version is told why, briefly),
// and at most `maxUnvalidated` strangers are being answered at once.

import dgram from 'node:dgram'
import { isIP } from 'node:net'
import { MSG, PROTOCOL_VERSION, hasMagic, peekType, peekVersion, VersionMismatchError } from '../src/codec/header.js'
import { encodeControl } from '../src/codec/messages.js'
import { ConnectionError, type SynchroError } from '../src/errors.js'
import type { Clock } from '../src/clock.js'
import { literalLookup } from './literal-lookup.js'
import { MIN_CONNECT_BYTES, UdpTransport } from './udp.js'
import { systemClock } from '../src/clock.js'

export interface UdpListenerStats {
  /** Datagrams from addresses with no session that were not a valid CONNECT. */
  strangerDatagrams: number
  peers: number
}

export interface UdpListener {
  readonly host: string
  readonly port: number
  readonly stats: UdpListenerStats
  close(): Promise<void>
}

export interface UdpListenOptions {
  sessionId: number
  /** Times every rig's transport. @default systemClock (the CLI passes none) */
  clock?: Clock
  /** Peers that have sent CONNECT but not yet proved their address; more are ignored. */
  maxUnvalidated?: number
}

/** Binds `host:port` for UDP; each rig's CONNECT makes a UdpTransport handed to `onTransport`. */
export function listenUdp(host: string, port: number, onTransport: (t: UdpTransport) => void, o: UdpListenOptions): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    // Every send names the rig's address: answered at once, not on the next tick (literal-lookup.ts).
    const socket = dgram.createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', lookup: literalLookup })
    const peers = new Map<string, UdpTransport>()
    const stats: UdpListenerStats = { strangerDatagrams: 0, peers: 0 }
    const maxUnvalidated = o.maxUnvalidated ?? 64
    const clock = o.clock ?? systemClock
    let unvalidated = 0
    socket.on('message', (msg, rinfo) => {
      const key = `${rinfo.address}:${rinfo.port}`
      const known = peers.get(key)
      if (known) return known.receive(msg)
      if (msg.byteLength < MIN_CONNECT_BYTES || !hasMagic(msg) || peekType(msg) !== MSG.CONNECT) {
        stats.strangerDatagrams++
        return
      }
      const version = peekVersion(msg)!
      if (version !== PROTOCOL_VERSION) {
        // Small, and smaller than the padded CONNECT it answers.
        socket.send(versionRefusal(version), rinfo.port, rinfo.address)
        return
      }
      if (unvalidated >= maxUnvalidated) {
        stats.strangerDatagrams++
        return
      }
      unvalidated++
      let counted = true
      const forget = (): void => {
        if (counted) unvalidated--
        counted = false
      }
      const t = new UdpTransport({
        remote: rinfo.family === 'IPv6' ? `[${rinfo.address}]:${rinfo.port}` : key,
        sendDatagram: (b) => socket.send(b, rinfo.port, rinfo.address),
        onClosed: () => {
          forget()
          peers.delete(key)
          stats.peers = peers.size
        },
        sessionId: o.sessionId,
        budget: msg.byteLength,
        clock,
      })
      // Once the rig has echoed our session id it is no longer a stranger.
      t.once('frame', forget)
      peers.set(key, t)
      stats.peers = peers.size
      t.answerConnect()
      onTransport(t)
    })
    socket.once('error', (err: NodeJS.ErrnoException) => reject(describeBindError(err, host, port)))
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.removeAllListeners('error')
      socket.on('error', () => {})
      resolve({
        host,
        port: socket.address().port,
        stats,
        close: async () => {
          for (const t of [...peers.values()]) t.abort(new ConnectionError('CLOSED', 'listener closed'))
          await new Promise<void>((r) => socket.close(() => r()))
        },
      })
    })
  })
}

function versionRefusal(peerVersion: number): Uint8Array {
  const reason = new VersionMismatchError(peerVersion, 'rig').message
  return encodeControl({ type: MSG.TERMINATE, body: { reason, code: 'version-mismatch' } }, { sessionId: 0 })
}

function describeBindError(err: NodeJS.ErrnoException, host: string, port: number): SynchroError {
  const why =
    err.code === 'EADDRINUSE'
      ? `UDP port ${port} is already in use (pick another with --port)`
      : err.code === 'EACCES'
        ? `no permission to use port ${port} (ports below 1024 need root)`
        : err.code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine`
          : err.message
  return new ConnectionError('LISTEN_FAILED', `cannot listen on ${host}:${port} (UDP): ${why}`, { cause: err })
}
