// Whatever carries media on stdout owns stdout, for MIDI as for audio: raw PCM
// (`--sink raw:-`) or raw MIDI bytes (`--midi-out raw:-`). A MIDI parser downstream reads
// a text line's bytes (all below 0x80) as running-status data and plays phantom notes, so
// then the events (text or --json) go to stderr, and two media may not share the pipe.

import type { Writable } from 'node:stream'
import { UsageError } from '../errors.js'

/** `raw:` paths that are this process's stdout: `-`, and the names Linux gives descriptor 1. */
const STDOUT_PATHS = new Set(['-', '/dev/stdout', '/dev/fd/1', '/proc/self/fd/1'])

/** Whether a `raw:PATH` spec writes this process's stdout. */
export function writesStdout(spec: string | undefined): boolean {
  return spec?.startsWith('raw:') === true && STDOUT_PATHS.has(spec.slice('raw:'.length))
}

/** The flags of a command that write media to stdout, as the operator typed them. */
export function stdoutMedia(o: { sink?: string; midiOut: readonly string[] }): string[] {
  return [...(writesStdout(o.sink) ? [`--sink ${o.sink}`] : []), ...o.midiOut.filter(writesStdout).map((spec) => `--midi-out ${spec}`)]
}

/** Refuses two media on stdout: their bytes would interleave into one stream that is neither. */
export function checkStdoutMedia(users: readonly string[]): void {
  if (users.length > 1) {
    throw new UsageError('BAD_FLAG', `${users.join(' and ')} all write stdout: give all but one a file or FIFO path`)
  }
}

/** Where a command's events go: stderr when media owns stdout. */
export function eventStream(users: readonly string[]): Writable {
  return users.length > 0 ? process.stderr : process.stdout
}
