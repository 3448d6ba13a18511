// The thread of a MIDI output that is a pipe or a device file (`--midi-out raw:PATH|-`): it
// writes each message at its show time, handed over with that time through the shared ring
// (src/audio/playout-ring.ts), as the playout thread writes the audio beside it. On the main
// thread a message waited for a timer and then for the event loop's next turn: on a rig
// receiving audio that was 0.04 ms late at the median but 0.1-3.2 ms in one message of
// three (measured, bench/midi-align.mjs on a loaded machine), while its sample left on time
// from the playout thread. Here it sleeps in Atomics.wait and spins the last SPIN_MS, as the
// playout thread does, and counts what it has written into shared memory, so the main
// thread knows when nothing waits (src/midi/threaded-midi-out.ts).

import { workerData } from 'node:worker_threads'
import { type RingBuffers, RingReader, type RingRecord } from '../audio/playout-ring.js'
import { announceMediaThread } from '../audio/media-thread-priority.js'
import { mainThreadNow, waitForRing } from '../audio/spin-wait.js'
import { RawWriter } from '../raw-writer.js'

export interface MidiOutWorkerData {
  ring: RingBuffers
  /** Int32 [0]: messages written so far (a count the main thread compares with what it handed over). */
  written: SharedArrayBuffer
  /** The output's descriptor, opened by the main thread. */
  fd: number
  /** The main thread's performance.timeOrigin: the messages' times are on its clock. */
  mainTimeOrigin: number
}

/** With nothing due, wake this often anyway (nothing to publish: only so a lost notify costs no more). */
const IDLE_WAKE_MS = 100

announceMediaThread()
const d = workerData as MidiOutWorkerData
const now = mainThreadNow(d.mainTimeOrigin)
const writer = new RawWriter(d.fd)
const ring = new RingReader(d.ring)
const written = new Int32Array(d.written)

/** Messages handed over and not yet written, in the order (and so the time order) they came. */
const queue: Array<{ atMs: number; data: Uint8Array }> = []
/** Messages before this index are written at once (a flush asked for them). */
let flushTo = 0
let stopping = false

function take(r: RingRecord): void {
  if (r.kind === 'midi') queue.push({ atMs: r.atMs, data: r.data.slice() })
  else if (r.kind === 'flush') flushTo = queue.length
  else if (r.kind === 'stop') stopping = true
}

/** Writes every message that is due (or flushed, or all of them when stopping). */
function writeDue(): void {
  let n = 0
  const t = now()
  while (n < queue.length && (stopping || n < flushTo || queue[n]!.atMs <= t)) writer.write(queue[n++]!.data)
  if (n === 0) return
  queue.splice(0, n)
  flushTo = Math.max(0, flushTo - n)
  Atomics.add(written, 0, n)
  Atomics.notify(written, 0)
}

for (;;) {
  ring.drain(take)
  writeDue()
  if (stopping) break
  const t = now()
  const next = queue[0]?.atMs
  // Spun only to a message's time: the idle wake needs no precision.
  waitForRing(ring, now, Math.min(next ?? t + IDLE_WAKE_MS, t + IDLE_WAKE_MS), next !== undefined)
}
