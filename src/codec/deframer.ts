// Splits a TCP byte stream into whole frames. Keeps a list of chunks and returns a
// view when a frame lies inside one chunk; copies only when a frame spans chunks (ws's
// Receiver does the same). The declared length is checked against the maximum as soon
// as the header is complete, before any body is buffered.

import { HEADER_BYTES, readHeader } from './header.js'

export class Deframer {
  private chunks: Uint8Array[] = []
  private buffered = 0
  private readonly scratch = new Uint8Array(HEADER_BYTES)

  constructor(public maxPayload: number) {}

  get bufferedBytes(): number {
    return this.buffered
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    this.chunks.push(chunk)
    this.buffered += chunk.byteLength
  }

  /** The next whole frame, or null when more bytes are needed. Throws FrameError on bad bytes. */
  next(): Uint8Array | null {
    if (this.buffered === 0) return null
    const head = this.peek(Math.min(HEADER_BYTES, this.buffered))
    const header = readHeader(head, this.maxPayload)
    if (header === null) return null
    const total = HEADER_BYTES + header.payloadLength
    if (this.buffered < total) return null
    return this.take(total)
  }

  private peek(n: number): Uint8Array {
    const first = this.chunks[0]!
    if (first.byteLength >= n) return first.subarray(0, n)
    let filled = 0
    for (const c of this.chunks) {
      const take = Math.min(c.byteLength, n - filled)
      this.scratch.set(c.subarray(0, take), filled)
      filled += take
      if (filled === n) break
    }
    return this.scratch.subarray(0, n)
  }

  private take(n: number): Uint8Array {
    this.buffered -= n
    const first = this.chunks[0]!
    if (first.byteLength >= n) {
      const frame = first.subarray(0, n)
      if (first.byteLength === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      return frame
    }
    const out = new Uint8Array(n)
    let filled = 0
    while (filled < n) {
      const c = this.chunks[0]!
      const take = Math.min(c.byteLength, n - filled)
      out.set(c.subarray(0, take), filled)
      filled += take
      if (take === c.byteLength) this.chunks.shift()
      else this.chunks[0] = c.subarray(take)
    }
    return out
  }
}
