// An in-memory transport pair for unit tests: ordered, reliable, asynchronous like a
// socket (delivery on a later microtask), with the same frame boundaries as TCP.

import { emptyStats, TransportEmitter, type FrameClass, type Transport, type TransportStats } from './transport.js'

export class MemoryTransport extends TransportEmitter implements Transport {
  readonly kind = 'memory'
  readonly reliable = true
  readonly stats: TransportStats = emptyStats()
  peer: MemoryTransport | undefined
  private closed = false

  constructor(readonly remote: string) {
    super()
  }

  setMaxPayload(): void {}

  send(frame: Uint8Array, _cls: FrameClass = 'control'): boolean {
    const peer = this.peer
    if (this.closed || !peer) return false
    this.stats.framesSent++
    this.stats.bytesSent += frame.byteLength
    // Copy: a real socket does not let the receiver see the sender's later writes.
    const copy = frame.slice()
    queueMicrotask(() => {
      if (peer.closed) return
      peer.stats.framesReceived++
      peer.stats.bytesReceived += copy.byteLength
      peer.emit('frame', copy)
    })
    return true
  }

  close(): Promise<void> {
    if (!this.closed) {
      // Let frames already sent arrive before the far side sees the close, as TCP does.
      queueMicrotask(() => {
        this.finish()
        this.peer?.finish()
      })
    }
    return new Promise((resolve) => queueMicrotask(() => queueMicrotask(resolve)))
  }

  abort(err: Error): void {
    this.finish(err)
    queueMicrotask(() => this.peer?.finish())
  }

  private finish(err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.emit('close', err)
  }
}

export function memoryPair(): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport('memory:a')
  const b = new MemoryTransport('memory:b')
  a.peer = b
  b.peer = a
  return [a, b]
}
