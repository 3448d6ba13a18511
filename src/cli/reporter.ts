// What a command tells the operator: one JSON object per line with --json, short
// readable lines without. JSON goes to stdout unless stdout carries raw audio.

import type { Writable } from 'node:stream'

/** Prints one side's events (ShowEvent or RigEvent, src/session/events.ts). */
export class Reporter<E extends { event: string }> {
  constructor(
    private readonly json: boolean,
    private readonly out: Writable,
    private readonly err: Writable = process.stderr,
  ) {}

  /** A structured event; `human` is its readable line, or null to say nothing without --json. */
  event(e: E, human: string | null): void {
    if (this.json) {
      // Printing may never end a show: an event that cannot be JSON (nested past the stack,
      // a cycle, a BigInt) is one line on stderr. Peers' payloads are bounded before they
      // get here (src/codec/json-depth.ts); this is the last guard.
      let line: string
      try {
        line = JSON.stringify(e) + '\n'
      } catch (err) {
        this.problem(`the ${String(e.event).slice(0, 64)} event could not be written: ${(err as Error).message}`)
        return
      }
      this.out.write(line)
    } else if (human !== null) this.out.write(human + '\n')
  }

  /** One line on stderr: warnings and the final error. */
  problem(line: string): void {
    this.err.write(`synchro: ${line}\n`)
  }
}
