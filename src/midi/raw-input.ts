// MIDI from a raw byte stream: a pipe, a FIFO, stdin (raw:-), or a file of bytes (sent as
// fast as it reads: a raw file carries no timing; use a .mid file for that).

import { accessSync, constants, createReadStream } from 'node:fs'
import type { Readable } from 'node:stream'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { MidiInput, MidiInputHandlers } from './endpoint.js'
import { MidiStreamParser } from './stream-parser.js'

export class RawMidiInput implements MidiInput {
  readonly description: string
  readonly finite = true
  private stream: Readable | undefined
  private parser: MidiStreamParser | undefined

  constructor(private readonly path: string) {
    if (path !== '-') {
      try {
        accessSync(path, constants.R_OK)
      } catch (err) {
        throw new UsageError('MIDI_UNREADABLE', `cannot read MIDI from ${path}: ${describeFsError(err)}`)
      }
    }
    this.description = `raw MIDI from ${path === '-' ? 'stdin' : path}`
  }

  get invalidBytes(): number {
    return this.parser?.invalidBytes ?? 0
  }

  start(on: MidiInputHandlers): void {
    this.parser = new MidiStreamParser((m) => on.message(m))
    this.stream = this.path === '-' ? process.stdin : createReadStream(this.path)
    this.stream.on('data', (chunk: Buffer) => this.parser!.feed(chunk))
    this.stream.once('end', () => on.end())
    this.stream.once('error', (err) => on.end(err))
  }

  stop(): void {
    if (this.stream && this.stream !== process.stdin) this.stream.destroy()
    else this.stream?.pause()
  }
}
