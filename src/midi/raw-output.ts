// `--midi-out raw:PATH|-`: the messages as a raw MIDI byte stream (no running status),
// for piping into amidi, a serial port, a device file or another program. A pipe or device
// (not a file keeping the bytes) writes messages due later from a thread of its own at their
// time (threaded-midi-out.ts), started the first time one comes.

import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import { RawWriter } from '../raw-writer.js'
import type { MidiOutput, MidiScheduler } from './endpoint.js'
import { ThreadedMidiOut } from './threaded-midi-out.js'

export class RawMidiOutput implements MidiOutput {
  readonly description: string
  private readonly out: RawWriter
  private thread: ThreadedMidiOut | undefined
  private readonly live: boolean

  constructor(path: string) {
    this.description = `raw MIDI to ${path === '-' ? 'stdout' : path}`
    try {
      this.out = new RawWriter(path)
    } catch (err) {
      throw new UsageError('MIDI_UNWRITABLE', `cannot write MIDI to ${path}: ${describeFsError(err)}`)
    }
    this.live = this.out.live
  }

  send(data: Uint8Array): void {
    // Behind what the thread still holds, so nothing overtakes a message due earlier.
    if (this.thread && this.thread.pending > 0 && this.thread.at(data, 0)) return
    this.out.write(data)
  }

  scheduler(): MidiScheduler | undefined {
    const fd = this.out.descriptor
    if (!this.live || fd === undefined) return undefined
    this.thread ??= new ThreadedMidiOut(fd)
    return this.thread
  }

  async close(): Promise<void> {
    await this.thread?.close()
    this.out.close()
  }
}
