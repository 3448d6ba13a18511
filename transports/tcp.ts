// TCP transport: net sockets, Nagle off (audio is latency-bound, and every frame is
// written whole), frames split by the Deframer. A peer that stops reading is not
// allowed to grow our memory: past the socket's high-water mark frames wait in a
// capped SendQueue (oldest audio dropped), and a peer that stays behind is aborted with a
// TimeoutError saying so: that policy, the queue and the close live in base-transport.ts.

import net from 'node:net'
import { Deframer } from '../src/codec/deframer.js'
import { CONTROL_MAX_PAYLOAD } from '../src/codec/messages.js'
import { ConnectionError, type SynchroError, TimeoutError } from '../src/errors.js'
import { systemClock, type Clock } from '../src/clock.js'
import { BaseTransport } from './base-transport.js'
import { emptyStats } from './transport.js'

export interface TcpOptions {
  /** Cap on bytes waiting for a slow peer, beyond the socket's own buffer. @default 1 MiB */
  maxQueueBytes?: number | undefined
  /** A peer whose socket has not drained for this long is dropped. @default 4000 */
  stallTimeoutMs?: number | undefined
  /** Largest payload accepted before the handshake raises it. */
  maxPayload?: number
  /** Times the stall policy, the close and the connect; tests inject one. @default systemClock, at listenTcp and connectTcp only */
  clock?: Clock
}

export class TcpTransport extends BaseTransport {
  readonly kind = 'tcp'
  readonly reliable = true
  private readonly deframer: Deframer

  constructor(
    private readonly socket: net.Socket,
    o: TcpOptions & { clock: Clock },
  ) {
    super(
      {
        remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
        clock: o.clock,
        maxQueueBytes: o.maxQueueBytes,
        stallTimeoutMs: o.stallTimeoutMs,
      },
      emptyStats(),
    )
    this.deframer = new Deframer(o.maxPayload ?? CONTROL_MAX_PAYLOAD)
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.drained())
    socket.on('error', (err) => this.finish(err))
    socket.on('close', () => this.finish())
  }

  setMaxPayload(bytes: number): void {
    this.deframer.maxPayload = bytes
  }

  protected sendFrame(frame: Uint8Array): boolean {
    this.counters.framesSent++
    this.counters.bytesSent += frame.byteLength
    this.socket.write(frame)
    return !this.socket.writableNeedDrain
  }

  /** end() flushes the socket's own buffer, then the peer sees the close and closes too. */
  protected endGracefully(): void {
    this.socket.end()
  }

  protected destroy(): void {
    this.socket.destroy()
  }

  protected override lowerQueuedBytes(): number {
    return this.socket.writableLength
  }

  private onData(chunk: Buffer): void {
    this.counters.bytesReceived += chunk.byteLength
    this.deframer.push(chunk)
    try {
      for (let frame = this.deframer.next(); frame !== null; frame = this.deframer.next()) {
        this.counters.framesReceived++
        this.received(frame)
        if (this.status === 'closed') return
      }
    } catch (err) {
      // After bad bytes the stream cannot be resynchronised: stop reading, let the session decide.
      this.socket.pause()
      this.emit('badFrame', err as SynchroError)
    }
  }
}

export interface TcpListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export function listenTcp(host: string, port: number, onTransport: (t: TcpTransport) => void, o: TcpOptions = {}): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const clock = o.clock ?? systemClock
    const server = net.createServer((socket) => onTransport(new TcpTransport(socket, { ...o, clock })))
    server.once('error', (err: NodeJS.ErrnoException) => reject(describeListenError(err, host, port)))
    server.listen({ host, port }, () => {
      const addr = server.address() as net.AddressInfo
      server.removeAllListeners('error')
      server.on('error', () => {})
      resolve({
        host,
        port: addr.port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      })
    })
  })
}

export function connectTcp(host: string, port: number, timeoutMs: number, o: TcpOptions = {}): Promise<TcpTransport> {
  return new Promise((resolve, reject) => {
    const clock = o.clock ?? systemClock
    const socket = net.connect({ host, port })
    const timer = clock.setTimeout(() => {
      socket.destroy()
      reject(new TimeoutError('CONNECT_TIMEOUT', `cannot reach ${host}:${port}: no answer within ${(timeoutMs / 1000).toFixed(0)} s`))
    }, timeoutMs)
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clock.clearTimeout(timer)
      reject(describeConnectError(err, host, port))
    })
    socket.once('connect', () => {
      clock.clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(new TcpTransport(socket, { ...o, clock }))
    })
  })
}

function describeConnectError(err: NodeJS.ErrnoException, host: string, port: number): SynchroError {
  const why =
    err.code === 'ECONNREFUSED'
      ? 'connection refused (is `synchro serve` running there?)'
      : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN'
        ? 'unknown host'
        : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH'
          ? 'no route to host'
          : err.message
  return new ConnectionError('CONNECT_FAILED', `cannot reach ${host}:${port}: ${why}`, { cause: err })
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): SynchroError {
  const why =
    err.code === 'EADDRINUSE'
      ? `port ${port} is already in use (pick another with --port, or --port 0 for any free one)`
      : err.code === 'EACCES'
        ? `no permission to use port ${port} (ports below 1024 need root)`
        : err.code === 'EADDRNOTAVAIL'
          ? `${host} is not an address of this machine`
          : err.message
  return new ConnectionError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause: err })
}
