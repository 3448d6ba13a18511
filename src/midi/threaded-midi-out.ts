// The main thread's side of a MIDI output's thread (midi-out-worker.ts): messages go over
// the shared ring with the time they are due, the thread writes them then. What the thread
// has written is counted in shared memory, so `pending` says whether any message still
// waits there (a message sent at once must not overtake it) and `whenWritten` waits for
// none to.

import type { Worker } from 'node:worker_threads'
import { createRing, RingWriter } from '../audio/playout-ring.js'
import { startThread } from '../start-thread.js'
import { scheduleMediaThread } from '../audio/media-thread-priority.js'
import type { ThreadScheduling } from '../audio/realtime-priority.js'
import type { MidiOutWorkerData } from './midi-out-worker.js'

/** Atomics.waitAsync (in Node since 16; in TypeScript's lib from es2024, later than this project's target). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string }
  }
).waitAsync

/** Room for tens of thousands of messages: far more than a show schedules ahead at any latency. */
const RING_BYTES = 256 * 1024

export class ThreadedMidiOut {
  private readonly ring: RingWriter
  private readonly written: Int32Array
  private readonly worker: Worker
  private readonly exited: Promise<void>
  private handed = 0
  private gone = false
  /** whenWritten calls waiting: the thread is ref'd while there are any. */
  private waiting = 0
  /** What the thread's scheduling came to (src/audio/realtime-priority.ts). */
  readonly scheduling: Promise<ThreadScheduling>

  /** fd: the output's descriptor, open in this process; the thread writes to it. */
  constructor(fd: number) {
    const ring = createRing(RING_BYTES)
    this.ring = new RingWriter(ring)
    const written = new SharedArrayBuffer(4)
    this.written = new Int32Array(written)
    const data: MidiOutWorkerData = { ring, written, fd, mainTimeOrigin: performance.timeOrigin }
    this.worker = startThread(import.meta.url, 'midi-out-worker', data)
    this.scheduling = scheduleMediaThread(this.worker, 'midi-out')
    this.worker.unref()
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.gone = true
        resolve()
      })
      this.worker.once('error', (err) => process.stderr.write(`synchro: the MIDI output thread stopped: ${err.message}\n`))
    })
  }

  /** Messages handed over that the thread has not written yet. */
  get pending(): number {
    return this.handed - Atomics.load(this.written, 0)
  }

  /**
   * Hands `data` to the thread to write at `atMs` (this thread's clock; 0: at once, after
   * what waits). False if the thread is gone or its ring is full: the caller writes it itself.
   */
  at(data: Uint8Array, atMs: number): boolean {
    if (this.gone || !this.ring.write({ kind: 'midi', atMs, data })) return false
    this.handed++
    return true
  }

  /** Every message handed over so far is written now. */
  flush(): void {
    if (!this.gone) this.ring.write({ kind: 'flush' })
  }

  /** Resolves once the thread has written everything handed over so far (at its time). */
  async whenWritten(): Promise<void> {
    const target = this.handed
    // The thread is unref'd (an idle output must not hold the process open), and a pending
    // waitAsync does not keep the event loop alive either: while waiting, the thread does.
    if (this.waiting++ === 0) this.worker.ref()
    try {
      for (;;) {
        const done = Atomics.load(this.written, 0)
        if (done >= target || this.gone) return
        const r = waitAsync(this.written, 0, done, 1000)
        await Promise.race([r.async ? r.value : Promise.resolve(), this.exited])
      }
    } finally {
      if (--this.waiting === 0 && !this.gone) this.worker.unref()
    }
  }

  /** Writes what waits at once and ends the thread. */
  async close(): Promise<void> {
    if (this.gone) return
    this.worker.ref()
    if (!this.ring.write({ kind: 'stop' })) await this.worker.terminate()
    await this.exited
  }
}
