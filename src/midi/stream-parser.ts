// A raw MIDI byte stream (a DIN cable's bytes, a pipe) into whole messages: running
// status, real-time bytes (clock and friends) interleaved anywhere, even inside a system
// exclusive, and system exclusive of any length. Bytes that fit nowhere are skipped and
// counted, never thrown: a noisy cable must not stop the show.

import { isRealtime, messageLength } from './message.js'

/** A system exclusive longer than this is dropped (and counted): no unbounded buffering. */
export const MAX_SYSEX_BYTES = 1024 * 1024

export class MidiStreamParser {
  /** Bytes skipped: data without a status, undefined statuses, stray 0xF7, oversized sysex. */
  invalidBytes = 0
  private running = 0
  private msg: number[] = []
  private expected = 0
  /** The message under way started under running status: its status byte was not in the stream. */
  private implied = false
  private sysex: number[] | undefined

  constructor(private readonly emit: (message: Uint8Array) => void) {}

  feed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.byteLength; i++) this.byte(bytes[i]!)
  }

  /** The stream is over: a message still under way (a sysex with no F7, a cut message) is dropped and counted. */
  end(): void {
    if (this.sysex) this.invalidBytes += this.sysex.length
    else if (this.expected !== 0) this.invalidBytes += this.msg.length - (this.implied ? 1 : 0)
    this.sysex = undefined
    this.expected = 0
    this.implied = false
  }

  private byte(b: number): void {
    if (b >= 0x80 && isRealtime(b)) {
      if (messageLength(b) === 1) this.emit(Uint8Array.of(b))
      else this.invalidBytes++ // 0xf9, 0xfd: undefined real-time
      return
    }
    if (this.sysex) {
      if (b < 0x80) {
        if (this.sysex.length >= MAX_SYSEX_BYTES) {
          this.invalidBytes += this.sysex.length + 1
          this.sysex = undefined
          return
        }
        this.sysex.push(b)
        return
      }
      if (b === 0xf7) {
        this.sysex.push(b)
        this.emit(Uint8Array.from(this.sysex))
        this.sysex = undefined
        return
      }
      // Any other status ends an unterminated sysex: drop it, then read the status.
      this.invalidBytes += this.sysex.length
      this.sysex = undefined
    }
    if (b >= 0x80) return this.status(b)
    // A data byte: completes the message under way, or starts one under running status.
    if (this.expected === 0) {
      if (this.running === 0) {
        this.invalidBytes++
        return
      }
      this.msg = [this.running]
      this.expected = messageLength(this.running)
      this.implied = true
    }
    this.msg.push(b)
    if (this.msg.length === this.expected) {
      this.emit(Uint8Array.from(this.msg))
      this.expected = 0
    }
  }

  private status(b: number): void {
    if (this.expected !== 0) this.invalidBytes += this.msg.length - (this.implied ? 1 : 0) // an interrupted message
    this.expected = 0
    this.implied = false
    if (b === 0xf0) {
      this.sysex = [b]
      this.running = 0
      return
    }
    const len = messageLength(b)
    if (len < 0) {
      // 0xf4, 0xf5, a stray 0xf7: skipped; system common cancels running status.
      this.invalidBytes++
      this.running = 0
      return
    }
    if (b < 0xf0) this.running = b
    else this.running = 0
    if (len === 1) {
      this.emit(Uint8Array.of(b))
      return
    }
    this.msg = [b]
    this.expected = len
  }
}
