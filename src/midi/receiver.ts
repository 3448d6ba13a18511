// The receiving half of a MIDI stream: serials put messages in order, copies (the
// journal's repetition) are dropped, sysex fragments are joined, and a gap the sender has
// given up on is reported so the caller can release held notes. Pure: fed frames, it
// returns what to deliver and what to acknowledge.

import { MIDI_EVENT_MORE, type MidiEvent, type MidiPayload } from '../codec/midi.js'
import { isCompleteMessage } from './message.js'
import { MAX_SYSEX_BYTES } from './stream-parser.js'
import { serialBefore } from './journal.js'

/** Events further ahead than this are held for their gap to fill; beyond it the gap is given up. */
const MAX_HELD_AHEAD = 4096

export interface ReceivedMidi {
  data: Uint8Array
  position: number
}

export interface MidiReceiverStats {
  messagesReceived: number
  /** Copies received again (repetition over UDP): dropped. */
  duplicates: number
  /** Messages the sender gave up on before they arrived. */
  lost: number
  /** Events that were not a valid MIDI message (never delivered). */
  invalid: number
}

export class MidiReceiver {
  /** The first serial not yet delivered; undefined until the stream's start is known. */
  private next: number | undefined
  /** Events that arrived ahead of a gap, by serial. */
  private readonly ahead = new Map<number, MidiEvent>()
  private fragments: Uint8Array[] = []
  private fragmentBytes = 0
  readonly stats: MidiReceiverStats = { messagesReceived: 0, duplicates: 0, lost: 0, invalid: 0 }

  /** Where the stream starts (the sender's head serial when this receiver joined). */
  startAt(serial: number): void {
    this.next = serial >>> 0
  }

  /** The serial to acknowledge: everything before it has arrived. */
  get ackSerial(): number {
    return this.next ?? 0
  }

  /**
   * Takes one frame's events; returns the messages now deliverable, in order, and whether a
   * gap was given up (the caller releases held notes before delivering them).
   */
  receive({ oldest, events }: MidiPayload): { messages: ReceivedMidi[]; gap: boolean } {
    const messages: ReceivedMidi[] = []
    let gap = false
    if (events.length === 0) return { messages, gap }
    if (this.next === undefined) this.next = oldest
    for (const e of events) {
      if (serialBefore(e.serial, this.next) || this.ahead.has(e.serial)) {
        this.stats.duplicates++
        continue
      }
      if (e.serial !== this.next) {
        this.ahead.set(e.serial, e)
        continue
      }
      this.take(e, messages)
    }
    this.drainAhead(messages)
    // Anything still missing before the oldest serial the sender holds for us is gone for
    // good: deliver what did arrive from before it, in order, and count the holes.
    const giveUpTo = this.ahead.size > MAX_HELD_AHEAD ? oldestKey(this.ahead, this.next) : oldest
    if (serialBefore(this.next, giveUpTo)) {
      gap = true
      this.dropFragments()
      const early = [...this.ahead.keys()]
        .filter((k) => serialBefore(k, giveUpTo))
        .sort((a, b) => ((a - this.next!) >>> 0) - ((b - this.next!) >>> 0))
      for (const k of early) {
        this.stats.lost += (k - this.next) >>> 0
        this.next = k
        this.drainAhead(messages)
      }
      if (serialBefore(this.next, giveUpTo)) {
        this.stats.lost += (giveUpTo - this.next) >>> 0
        this.next = giveUpTo >>> 0
      }
      this.drainAhead(messages)
    }
    return { messages, gap }
  }

  private drainAhead(messages: ReceivedMidi[]): void {
    for (let e = this.ahead.get(this.next!); e !== undefined; e = this.ahead.get(this.next!)) {
      this.ahead.delete(e.serial)
      this.take(e, messages)
    }
  }

  private take(e: MidiEvent, messages: ReceivedMidi[]): void {
    this.next = (this.next! + 1) >>> 0
    if (e.flags & MIDI_EVENT_MORE || this.fragments.length > 0) {
      if (this.fragmentBytes + e.data.byteLength > MAX_SYSEX_BYTES) {
        this.stats.invalid++
        this.dropFragments()
        return
      }
      this.fragments.push(Uint8Array.from(e.data)) // the frame's buffer is not ours to keep
      this.fragmentBytes += e.data.byteLength
      if (e.flags & MIDI_EVENT_MORE) return
      const whole = Buffer.concat(this.fragments)
      this.dropFragments()
      this.deliver(whole, e.position, messages)
      return
    }
    this.deliver(e.data, e.position, messages)
  }

  private deliver(data: Uint8Array, position: number, messages: ReceivedMidi[]): void {
    if (!isCompleteMessage(data)) {
      this.stats.invalid++
      return
    }
    this.stats.messagesReceived++
    messages.push({ data, position })
  }

  private dropFragments(): void {
    this.fragments = []
    this.fragmentBytes = 0
  }
}

/** The earliest serial held ahead, for wrapping serials. */
function oldestKey(ahead: ReadonlyMap<number, MidiEvent>, after: number): number {
  let best: number | undefined
  for (const k of ahead.keys()) if (best === undefined || serialBefore(k, best)) best = k
  return best ?? after
}
