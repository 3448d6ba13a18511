// Which notes are sounding and which channels hold the sustain pedal, as seen by one
// output (or one input). `release()` gives the messages that silence exactly that:
// a note-off per held note and sustain off per held pedal, then forgets them. This is what
// keeps a lost note-off, a dropped rig or an ended show from leaving a stuck note.

export class NoteState {
  /** (channel0 << 7 | note) -> how many note-ons are outstanding (a note may be struck twice). */
  private readonly held = new Map<number, number>()
  /** Channels (0-15) whose sustain (CC 64) is down. */
  private sustain = 0

  /** Follows one outgoing message. */
  track(data: Uint8Array): void {
    const status = data[0]!
    if (status < 0x80 || status >= 0xf0) {
      if (status === 0xff) this.clear() // system reset: the device forgets everything
      return
    }
    const ch = status & 0x0f
    const hi = status >> 4
    if (hi === 0x9 && data[2]! > 0) {
      const key = (ch << 7) | data[1]!
      this.held.set(key, (this.held.get(key) ?? 0) + 1)
    } else if (hi === 0x8 || hi === 0x9) {
      this.held.delete((ch << 7) | data[1]!)
    } else if (hi === 0xb) {
      const cc = data[1]!
      if (cc === 64) {
        if (data[2]! >= 64) this.sustain |= 1 << ch
        else this.sustain &= ~(1 << ch)
      } else if (cc === 120 || cc === 123) {
        // All sound off / all notes off: the device releases this channel's notes.
        for (const key of [...this.held.keys()]) if (key >> 7 === ch) this.held.delete(key)
        if (cc === 120) this.sustain &= ~(1 << ch)
      } else if (cc === 121) {
        this.sustain &= ~(1 << ch) // reset all controllers
      }
    }
  }

  get heldNotes(): number {
    return this.held.size
  }

  get anythingHeld(): boolean {
    return this.held.size > 0 || this.sustain !== 0
  }

  /** Messages that release everything held (note-offs, then sustain off), and forget it. */
  release(): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const key of this.held.keys()) out.push(Uint8Array.of(0x80 | (key >> 7), key & 0x7f, 0))
    for (let ch = 0; ch < 16; ch++) if (this.sustain & (1 << ch)) out.push(Uint8Array.of(0xb0 | ch, 64, 0))
    this.clear()
    return out
  }

  clear(): void {
    this.held.clear()
    this.sustain = 0
  }
}

/** The operator's MIDI panic: all notes off and sustain off on every channel, whatever was tracked. */
export function panicMessages(): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let ch = 0; ch < 16; ch++) out.push(Uint8Array.of(0xb0 | ch, 64, 0), Uint8Array.of(0xb0 | ch, 123, 0))
  return out
}
