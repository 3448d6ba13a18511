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

/**
 * An output that times messages itself, off the main thread (src/midi/threaded-midi-out.ts):
 * given a message and when it is due, it writes it then, in the order given.
 */
export interface MidiScheduler {
  /** Write `data` at `atMs` (the main thread's clock); false if it cannot take it (then send it at once). */
  at(data: Uint8Array, atMs: number): boolean
  /** Everything handed over so far, now. */
  flush(): void
  /** Resolves once everything handed over so far has been written. */
  whenWritten(): Promise<void>
}

export interface MidiOutput {
  readonly description: string
  /** One whole MIDI message; `position` is its show position (sample frames since INIT). */
  send(data: Uint8Array, position: number): void
  /**
   * The output's own scheduler, for messages due later (a rig on the show clock), if it has
   * one; asked for when the first such message comes. A message `send` gets while scheduled
   * ones wait goes after them.
   */
  scheduler?(): MidiScheduler | undefined
  /** Flush and release the output (a file is written here). */
  close(): Promise<void>
}
