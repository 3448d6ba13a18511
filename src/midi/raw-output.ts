// `--midi-out raw:PATH|-`: the messages as a raw MIDI byte stream (no running status),
// for piping into amidi, a serial port or another program.

import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import { RawWriter } from '../raw-writer.js'
import type { MidiOutput } from './endpoint.js'

export class RawMidiOutput implements MidiOutput {
  readonly description: string
  private readonly out: RawWriter

  constructor(path: string) {
    this.description = `raw MIDI to ${path === '-' ? 'stdout' : path}`
    try {
      this.out = new RawWriter(path)
    } catch (err) {
      throw new UsageError('MIDI_UNWRITABLE', `cannot write MIDI to ${path}: ${describeFsError(err)}`)
    }
  }

  send(data: Uint8Array): void {
    this.out.write(data)
  }

  async close(): Promise<void> {
    this.out.close()
  }
}
