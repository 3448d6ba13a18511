// Raw bytes to a file or to stdout ("-"), shared by `--sink raw:` (PCM) and `--midi-out raw:`
// (MIDI bytes): both are read by another program through a pipe, so both must survive the
// same two things. A reader that goes away (EPIPE) stops the writing, not the show. A full
// pipe (EAGAIN: stdout may be non-blocking) is retried for up to a second rather than
// dropping bytes, and a short write is finished, so no message or sample is cut in two.

import { closeSync, fstatSync, openSync, writeSync } from 'node:fs'

const FULL_PIPE_PATIENCE_MS = 1000

export class RawWriter {
  private fd: number | undefined

  /** A path ("-": stdout), or a descriptor already open (a playout thread writing the main thread's). Throws what openSync throws; the caller says what it was opening for. */
  constructor(readonly path: string | number) {
    this.fd = typeof path === 'number' ? path : path === '-' ? 1 : openSync(path, 'w')
  }

  /** The descriptor written to; undefined once closed or after the reader went away. */
  get descriptor(): number | undefined {
    return this.fd
  }

  /** Whether a reader takes the bytes as they come (a pipe, FIFO, socket or terminal), not a file keeping them. */
  get live(): boolean {
    if (this.fd === undefined) return false
    try {
      const st = fstatSync(this.fd)
      return st.isFIFO() || st.isSocket() || st.isCharacterDevice()
    } catch {
      return false
    }
  }

  write(bytes: Uint8Array): void {
    let offset = 0
    let deadline: number | undefined
    while (this.fd !== undefined && offset < bytes.byteLength) {
      try {
        offset += writeSync(this.fd, bytes, offset)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'EPIPE') {
          this.fd = undefined
          return
        }
        if (code !== 'EAGAIN') throw err
        deadline ??= Date.now() + FULL_PIPE_PATIENCE_MS
        if (Date.now() > deadline) return
      }
    }
  }

  close(): void {
    if (this.fd !== undefined && this.fd !== 1 && typeof this.path !== 'number') closeSync(this.fd)
    this.fd = undefined
  }
}
