// `--midi-out raw:PATH|-`: the messages as a raw MIDI byte stream (no running status),
// for piping into amidi, a serial port or another program.

import { closeSync, openSync, writeSync } from 'node:fs'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { MidiOutput } from './endpoint.js'

export class RawMidiOutput implements MidiOutput {
  readonly description: string
  private fd: number | undefined

  constructor(path: string) {
    this.description = `raw MIDI to ${path === '-' ? 'stdout' : path}`
    try {
      this.fd = path === '-' ? 1 : openSync(path, 'w')
    } catch (err) {
      throw new UsageError('MIDI_UNWRITABLE', `cannot write MIDI to ${path}: ${describeFsError(err)}`)
    }
  }

  send(data: Uint8Array): void {
    if (this.fd === undefined) return
    try {
      writeSync(this.fd, data)
    } catch (err) {
      // The reader went away: stop writing, keep the show.
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') this.fd = undefined
      else throw err
    }
  }

  async close(): Promise<void> {
    if (this.fd !== undefined && this.fd !== 1) closeSync(this.fd)
    this.fd = undefined
  }
}
