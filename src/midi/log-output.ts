// `--midi-out log`: each message as a line, {"event":"midi","data":[...]} with --json.

import type { MidiOutput } from './endpoint.js'
import { describeMidi } from './message.js'

export class LogMidiOutput implements MidiOutput {
  readonly description = 'log'

  constructor(private readonly write: (event: { event: 'midi'; data: number[]; position: number }, line: string) => void) {}

  send(data: Uint8Array, position: number): void {
    this.write({ event: 'midi', data: Array.from(data), position }, `midi ${describeMidi(data)}`)
  }

  async close(): Promise<void> {}
}
