// What a MIDI input and a MIDI output are to the session: ports, files, pipes and the log
// all look like this, so the session never knows which one it drives.

export interface MidiInputHandlers {
  /** One whole MIDI message. */
  message(data: Uint8Array): void
  /** The input has nothing more (end of a file or pipe), or failed. */
  end(err?: Error): void
  /**
   * The messages given since the last call came in together (one chunk read from a pipe):
   * they can go out now. An input that never says so has its messages sent when the turn of
   * the event loop ends.
   */
  batchEnd?(): void
}

export interface MidiInput {
  readonly description: string
  /** A file or a pipe ends; a port does not. A show with no audio ends when its last finite input does. */
  readonly finite: boolean
  start(on: MidiInputHandlers): void
  stop(): void
  /** Bytes skipped as invalid (raw streams); 0 for inputs that only see whole messages. */
  readonly invalidBytes: number
}

export interface MidiOutput {
  readonly description: string
  /** One whole MIDI message; `position` is its show position (sample frames since INIT). */
  send(data: Uint8Array, position: number): void
  /** Flush and release the output (a file is written here). */
  close(): Promise<void>
}
