import { connectTcp, listenTcp, type TcpOptions } from '../../transports/tcp.js'
import { memoryPair, type MemoryOptions } from '../../transports/memory.js'
import type { UdpTransport } from '../../transports/udp.js'
import { MSG } from '../../src/codec/header.js'
import { encodePingPong } from '../../src/codec/messages.js'
import { listenUdp } from '../../transports/udp-listen.js'
import { connectUdp } from '../../transports/udp-connect.js'
import type { Transport } from '../../transports/transport.js'

export interface Pair {
  a: Transport
  b: Transport
  /** Ends what the pair left open (sockets, listener). */
  done(): Promise<void>
}

const open = new Set<Pair>()

export async function tcpPair(o: TcpOptions = {}): Promise<Pair> {
  let accept!: (t: Transport) => void
  const accepted = new Promise<Transport>((r) => (accept = r))
  const listener = await listenTcp('127.0.0.1', 0, (t) => accept(t), o)
  const b = await connectTcp('127.0.0.1', listener.port, 2000, o)
  const a = await accepted
  const pair: Pair = { a, b, done: () => (open.delete(pair), listener.close()) }
  open.add(pair)
  return pair
}

/** Aborts both ends and closes the listener of every TCP pair a test left open. */
export async function closeAllPairs(): Promise<void> {
  for (const p of [...open]) {
    p.a.abort(new Error('test cleanup'))
    p.b.abort(new Error('test cleanup'))
    await p.done()
  }
}

/** a: the server's side of a UDP session, b: the rig's (which sent CONNECT). */
export async function udpPair(sessionId = 7): Promise<Pair & { a: UdpTransport; b: UdpTransport }> {
  let accept!: (t: UdpTransport) => void
  const accepted = new Promise<UdpTransport>((r) => (accept = r))
  const listener = await listenUdp('127.0.0.1', 0, (t) => accept(t), { sessionId })
  const b = await connectUdp('127.0.0.1', listener.port, 2000)
  const a = await accepted
  // The rig proves its address (a datagram with the session id), as HELLO_REPLY does in a
  // session; until then the server may send it no more than it received.
  const validated = new Promise((r) => a.once('frame', r))
  b.send(encodePingPong(MSG.PING, 0, { sessionId }))
  await validated
  // UDP has no connection to end: the rig's socket is closed explicitly, or it keeps the process alive.
  const pair = { a, b, done: () => (open.delete(pair), b.abort(new Error('pair done')), listener.close()) }
  open.add(pair)
  return pair
}

export async function memPair(o: MemoryOptions = {}): Promise<Pair> {
  const [a, b] = memoryPair(o)
  return { a, b, done: async () => {} }
}

export function collect(t: Transport): { frames: Uint8Array[]; closed: Promise<Error | undefined> } {
  const frames: Uint8Array[] = []
  t.on('frame', (f) => frames.push(f.slice()))
  const closed = new Promise<Error | undefined>((r) => t.once('close', (e) => r(e)))
  return { frames, closed }
}

// until() lives in wait.ts with the other waits; re-exported for the tests that import it from here.
export { until } from './wait.js'
