// MIDI from a raw byte stream: stdin (raw:-), a FIFO, or a file of bytes (sent as fast as
// it reads: a raw file carries no timing; use a .mid file for that).
// A FIFO is a meeting point that controller programs may open and close during a show: it
// is held open read-write, so one writer leaving is not the end of the input, and read
// through a libuv pipe handle rather than the thread pool, so stopping the show never waits
// on a blocked read.

import { accessSync, constants, createReadStream, openSync, statSync } from 'node:fs'
import { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { MidiInput, MidiInputHandlers } from './endpoint.js'
import { MidiStreamParser } from './stream-parser.js'

export class RawMidiInput implements MidiInput {
  readonly description: string
  readonly finite: boolean
  private readonly fifo: boolean
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
    this.fifo = path !== '-' && statSync(path).isFIFO()
    this.finite = !this.fifo
    this.description = `raw MIDI from ${path === '-' ? 'stdin' : this.fifo ? `FIFO ${path}` : path}`
  }

  get invalidBytes(): number {
    return this.parser?.invalidBytes ?? 0
  }

  start(on: MidiInputHandlers): void {
    this.parser = new MidiStreamParser((m) => on.message(m))
    this.stream =
      this.path === '-'
        ? process.stdin
        : this.fifo
          ? new Socket({ fd: openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false })
          : createReadStream(this.path)
    this.stream.on('data', (chunk: Buffer) => {
      this.parser!.feed(chunk)
      // The chunk's messages go out now, not after the stream's own bookkeeping for this read.
      on.batchEnd?.()
    })
    this.stream.once('end', () => on.end())
    this.stream.once('error', (err) => on.end(err))
  }

  stop(): void {
    if (this.stream && this.stream !== process.stdin) this.stream.destroy()
    else this.stream?.pause()
  }
}
