// The bounded queue in front of a peer that is not keeping up. Audio is only worth
// playing while it is fresh, so when the cap is reached the oldest media frames go
// first; control frames are never dropped: a peer whose control frames alone pass the
// cap is ended by the transport (BaseTransport), so they cannot pile up either.

import type { FrameClass } from './transport.js'

interface Entry {
  frame: Uint8Array
  cls: FrameClass
}

export class SendQueue {
  private entries: Entry[] = []
  private head = 0
  bytes = 0
  /** Bytes of control frames waiting: what no dropping can make room for. */
  controlBytes = 0
  dropped = 0

  constructor(readonly maxBytes: number) {}

  get length(): number {
    return this.entries.length - this.head
  }

  /**
   * Adds a frame; returns true when old media had to be dropped to make room. The frame
   * just added is never the one dropped, so the queue may pass the cap by that one frame.
   */
  push(frame: Uint8Array, cls: FrameClass): boolean {
    this.entries.push({ frame, cls })
    this.bytes += frame.byteLength
    if (cls === 'control') this.controlBytes += frame.byteLength
    let dropped = false
    while (this.bytes > this.maxBytes && this.dropOldestMedia()) dropped = true
    return dropped
  }

  shift(): Uint8Array | undefined {
    if (this.head >= this.entries.length) return undefined
    const e = this.entries[this.head++]!
    this.bytes -= e.frame.byteLength
    if (e.cls === 'control') this.controlBytes -= e.frame.byteLength
    // Compact now and then rather than shifting the array on every frame.
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
    return e.frame
  }

  clear(): void {
    this.entries = []
    this.head = 0
    this.bytes = 0
    this.controlBytes = 0
  }

  private dropOldestMedia(): boolean {
    for (let i = this.head; i < this.entries.length - 1; i++) {
      const e = this.entries[i]!
      if (e.cls === 'media') {
        this.entries.splice(i, 1)
        this.bytes -= e.frame.byteLength
        this.dropped++
        return true
      }
    }
    return false
  }
}
