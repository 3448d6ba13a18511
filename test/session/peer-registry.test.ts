// The server's connections by PeerId, over memory transports: fresh ids, listeners that
// name their peer, counters carried across a switch, retired connections closed gracefully
// and waited for.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair, type MemoryTransport } from '../../transports/memory.js'
import type { TransportStats } from '../../transports/transport.js'
import { FrameError } from '../../src/errors.js'
import { PeerRegistry, type PeerListeners } from '../../src/session/peer-registry.js'
import { settle } from '../helpers/manual-clock.js'

function registry() {
  const peers = new PeerRegistry()
  const heard: string[] = []
  const listen = (peer: number): PeerListeners => ({
    frame: (bytes) => heard.push(`${peer} frame ${bytes.byteLength}`),
    badFrame: (err) => heard.push(`${peer} bad ${err.code}`),
    close: (err) => heard.push(`${peer} close ${err?.message ?? 'graceful'}`),
  })
  const connect = (): { server: MemoryTransport; rig: MemoryTransport; peer: number } => {
    const [server, rig] = memoryPair()
    return { server, rig, peer: peers.add(server, listen) }
  }
  return { peers, heard, connect }
}

const withRetransmits = (t: MemoryTransport, n: number) => ((t.stats as TransportStats & { retransmits: number }).retransmits = n)

test('each connection gets a fresh PeerId, and its listeners name it', async () => {
  const r = registry()
  const a = r.connect()
  const b = r.connect()
  assert.equal([a.peer, b.peer], [1, 2])
  assert.is(r.peers.get(2), b.server)
  b.rig.send(new Uint8Array(3))
  a.rig.send(new Uint8Array(5))
  a.server.emit('badFrame', new FrameError('BAD_MAGIC', 'not a Synchro frame'))
  await settle()
  assert.equal(r.heard, ['1 bad BAD_MAGIC', '2 frame 3', '1 frame 5'])
  a.rig.abort(new Error('cable pulled'))
  await settle()
  assert.equal(r.heard.at(-1), '1 close graceful', 'the far side aborting closes ours')
})

test("counters: the connection's own, zeros for a peer it does not know", () => {
  const r = registry()
  const a = r.connect()
  a.server.send(new Uint8Array(10))
  a.server.send(new Uint8Array(20))
  withRetransmits(a.server, 2)
  assert.equal(r.peers.counters(a.peer), {
    framesSent: 2,
    bytesSent: 30,
    framesDropped: 0,
    queuedBytes: a.server.stats.queuedBytes,
    retransmits: 2,
  })
  assert.equal(r.peers.counters(99), { framesSent: 0, bytesSent: 0, framesDropped: 0, queuedBytes: 0, retransmits: 0 })
})

test('retire: the connection is forgotten and closed gracefully; settled() waits for the close', async () => {
  const r = registry()
  const a = r.connect()
  let rigSawClose = false
  a.rig.once('close', () => (rigSawClose = true))
  assert.ok(r.peers.retire(a.peer))
  assert.is(r.peers.get(a.peer), undefined)
  assert.not.ok(r.peers.retire(a.peer), 'twice: nothing to retire')
  await r.peers.settled()
  assert.ok(rigSawClose)
  assert.equal(r.heard, ['1 close graceful'], 'its listeners stay until it has closed')
})

test('rebind: the old connection is detached and retired, its counters carried to the new one', async () => {
  const r = registry()
  const tcp = r.connect()
  const udp = r.connect()
  tcp.server.send(new Uint8Array(100))
  withRetransmits(tcp.server, 0)
  udp.server.send(new Uint8Array(7))
  withRetransmits(udp.server, 4)
  assert.ok(r.peers.rebind(tcp.peer, udp.peer))
  assert.is(r.peers.get(tcp.peer), undefined)
  // What waits in a queue is the current connection's alone: the old queue is flushed or gone.
  assert.equal(r.peers.counters(udp.peer), {
    framesSent: 2,
    bytesSent: 107,
    framesDropped: 0,
    queuedBytes: udp.server.stats.queuedBytes,
    retransmits: 4,
  })
  assert.ok(udp.server.stats.queuedBytes < 100)
  await r.peers.settled()
  assert.equal(r.heard, [], 'a moved session is retired quietly: no frame, no close reaches the runner')
  // Moving again carries everything so far.
  const third = r.connect()
  r.peers.rebind(udp.peer, third.peer)
  assert.is(r.peers.counters(third.peer).bytesSent, 107)
  assert.not.ok(r.peers.rebind(tcp.peer, third.peer), 'a connection already gone cannot be rebound')
})

test('forget drops what a peer carried', () => {
  const r = registry()
  const a = r.connect()
  const b = r.connect()
  a.server.send(new Uint8Array(9))
  r.peers.rebind(a.peer, b.peer)
  r.peers.forget(b.peer)
  assert.equal(r.peers.counters(b.peer).bytesSent, 0)
})

test.run()
