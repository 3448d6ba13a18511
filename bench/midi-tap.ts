// The MIDI half of the alignment bench (bench/midi-align.mjs): impulse k of the audio train
// has a note-on of its own, whose note and velocity name k, so the note that leaves a rig is
// matched to its impulse by value; and a tap that reads a raw MIDI byte stream (a rig's
// `--midi-out raw:`) as it arrives and keeps, for each named note-on, the time it came out.

/** Note-on for impulse k: note k mod 128, velocity 1 + k / 128 (never 0, which is a note-off). */
export function noteFor(index: number): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= 127 * 128) throw new RangeError(`impulse index ${index} out of range`)
  return Uint8Array.of(0x90, index & 0x7f, 1 + (index >> 7))
}

/** The impulse a note-on names. */
export function indexOf(note: number, velocity: number): number {
  return ((velocity - 1) << 7) | note
}

/** Data bytes after a status byte, by its high nibble (0x8-0xE); system messages are skipped. */
const DATA_BYTES: Record<number, number> = { 0x8: 2, 0x9: 2, 0xa: 2, 0xb: 2, 0xc: 1, 0xd: 1, 0xe: 2 }

export class NoteTap {
  /** Impulse index -> ms (the caller's clock) its note-on left the output. */
  readonly seenMs = new Map<number, number>()
  private message: number[] = []
  private needed = 0

  push(chunk: Uint8Array, arrivalMs: number): void {
    for (const byte of chunk) {
      if (byte >= 0xf8) continue // real-time bytes may sit anywhere
      if (byte >= 0x80) {
        this.needed = byte >= 0xf0 ? 0 : DATA_BYTES[byte >> 4]!
        this.message = byte >= 0xf0 ? [] : [byte]
        continue
      }
      if (this.message.length === 0 || this.message.length > this.needed) continue
      this.message.push(byte)
      if (this.message.length === this.needed + 1) this.complete(arrivalMs)
    }
  }

  private complete(arrivalMs: number): void {
    const [status, note, velocity] = this.message as [number, number, number]
    if (status >> 4 !== 0x9 || velocity === 0) return
    const index = indexOf(note, velocity)
    if (!this.seenMs.has(index)) this.seenMs.set(index, arrivalMs)
  }
}
