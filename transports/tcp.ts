// TCP transport: net sockets, Nagle off (audio is latency-bound, and every frame is
// written whole), frames split by the Deframer. A peer that stops reading is not
// allowed to grow our memory: past the socket's high-water mark frames wait in a
// capped SendQueue (oldest audio dropped). A peer that stays behind is aborted with a
// TimeoutError saying so: one whose socket has not drained for `stallTimeoutMs` (it
// stopped reading), or one that has made us drop audio for that long without its queue
// ever emptying (it reads, but slower than the stream).

import net from 'node:net'
import { Deframer } from '../src/codec/deframer.js'
import { CONTROL_MAX_PAYLOAD } from '../src/codec/messages.js'
import { ConnectionError, type SynchroError, TimeoutError } from '../src/errors.js'
import { SendQueue } from './send-queue.js'
import { emptyStats, TransportEmitter, type FrameClass, type Transport, type TransportStats } from './transport.js'

export interface TcpOptions {
  /** Cap on bytes waiting for a slow peer, beyond the socket's own buffer. */
  maxQueueBytes?: number
  /** A peer whose socket has not drained for this long is dropped. */
  stallTimeoutMs?: number
  /** Largest payload accepted before the handshake raises it. */
  maxPayload?: number
  /** Wall clock in ms; tests inject one. */
  now?: () => number
}

const DEFAULT_QUEUE_BYTES = 1024 * 1024
const DEFAULT_STALL_MS = 4000

export class TcpTransport extends TransportEmitter implements Transport {
  readonly kind = 'tcp'
  readonly reliable = true
  readonly remote: string
  private readonly deframer: Deframer
  private readonly queue: SendQueue
  private readonly stallTimeoutMs: number
  private readonly counters = emptyStats()
  private readonly now: () => number
  private stalledSince = 0
  /** When the queue first had to drop audio; reset whenever it empties. */
  private droppingSince = 0
  private closed = false
  private closing: Promise<void> | undefined

  constructor(private readonly socket: net.Socket, o: TcpOptions = {}) {
    super()
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.deframer = new Deframer(o.maxPayload ?? CONTROL_MAX_PAYLOAD)
    this.queue = new SendQueue(o.maxQueueBytes ?? DEFAULT_QUEUE_BYTES)
    this.stallTimeoutMs = o.stallTimeoutMs ?? DEFAULT_STALL_MS
    this.now = o.now ?? Date.now
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.flush())
    socket.on('error', (err) => this.finish(err))
    socket.on('close', () => this.finish())
  }

  get stats(): TransportStats {
    this.counters.framesDropped = this.queue.dropped
    this.counters.queuedBytes = this.queue.bytes + this.socket.writableLength
    return this.counters
  }

  setMaxPayload(bytes: number): void {
    this.deframer.maxPayload = bytes
  }

  send(frame: Uint8Array, cls: FrameClass = 'control'): boolean {
    if (this.closed || this.closing) return false
    if (this.queue.length > 0 || this.socket.writableNeedDrain) {
      const now = this.now()
      const limitS = (this.stallTimeoutMs / 1000).toFixed(1)
      if (this.stalledSince === 0) this.stalledSince = now
      else if (now - this.stalledSince > this.stallTimeoutMs) {
        this.abort(new TimeoutError('TOO_SLOW', `peer ${this.remote} fell behind: nothing drained for ${limitS} s`))
        return false
      }
      if (this.queue.push(frame, cls) && this.droppingSince === 0) this.droppingSince = now
      if (this.droppingSince !== 0 && now - this.droppingSince > this.stallTimeoutMs) {
        this.abort(new TimeoutError('TOO_SLOW', `peer ${this.remote} fell behind: reading slower than the stream, audio dropped for ${limitS} s`))
      }
      return false
    }
    this.write(frame)
    return !this.socket.writableNeedDrain
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve()
    this.closing ??= new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      // A peer that never reads must not hold the close forever.
      const timer = setTimeout(() => this.socket.destroy(), 2000)
      this.socket.once('close', done)
      const endWhenFlushed = (): void => {
        if (this.queue.length > 0) return
        this.socket.off('drain', endWhenFlushed)
        this.socket.end()
      }
      this.socket.on('drain', endWhenFlushed)
      endWhenFlushed()
    })
    return this.closing
  }

  abort(err: Error): void {
    if (this.closed) return
    this.queue.clear()
    // The reason first: the socket's own 'close' must not win and report a clean close.
    this.finish(err)
    this.socket.destroy()
  }

  private write(frame: Uint8Array): void {
    this.counters.framesSent++
    this.counters.bytesSent += frame.byteLength
    this.socket.write(frame)
  }

  private flush(): void {
    this.stalledSince = 0
    while (!this.socket.writableNeedDrain) {
      const frame = this.queue.shift()
      if (frame === undefined) break
      this.write(frame)
    }
    if (this.queue.length > 0) this.stalledSince = this.now()
    else {
      this.droppingSince = 0
      this.emit('drain')
    }
  }

  private onData(chunk: Buffer): void {
    this.counters.bytesReceived += chunk.byteLength
    this.deframer.push(chunk)
    try {
      for (let frame = this.deframer.next(); frame !== null; frame = this.deframer.next()) {
        this.counters.framesReceived++
        this.emit('frame', frame)
        if (this.closed) return
      }
    } catch (err) {
      // After bad bytes the stream cannot be resynchronised: stop reading, let the session decide.
      this.socket.pause()
      this.emit('badFrame', err as SynchroError)
    }
  }

  private finish(err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.queue.clear()
    this.emit('close', err)
  }
}

export interface TcpListener {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export function listenTcp(
  host: string,
  port: number,
  onTransport: (t: TcpTransport) => void,
  o: TcpOptions = {},
): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => onTransport(new TcpTransport(socket, o)))
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
    const socket = net.connect({ host, port })
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new TimeoutError('CONNECT_TIMEOUT', `cannot reach ${host}:${port}: no answer within ${(timeoutMs / 1000).toFixed(0)} s`))
    }, timeoutMs)
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(describeConnectError(err, host, port))
    })
    socket.once('connect', () => {
      clearTimeout(timer)
      socket.removeAllListeners('error')
      resolve(new TcpTransport(socket, o))
    })
  })
}

function describeConnectError(err: NodeJS.ErrnoException, host: string, port: number): SynchroError {
  const why =
    err.code === 'ECONNREFUSED' ? 'connection refused (is `synchro serve` running there?)'
    : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'unknown host'
    : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH' ? 'no route to host'
    : err.message
  return new ConnectionError('CONNECT_FAILED', `cannot reach ${host}:${port}: ${why}`, { cause: err })
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): SynchroError {
  const why =
    err.code === 'EADDRINUSE' ? `port ${port} is already in use (pick another with --port, or --port 0 for any free one)`
    : err.code === 'EACCES' ? `no permission to use port ${port} (ports below 1024 need root)`
    : err.code === 'EADDRNOTAVAIL' ? `${host} is not an address of this machine`
    : err.message
  return new ConnectionError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${why}`, { cause: err })
}
