// One output of the skew bench, timed on a thread of its own (bench/skew.mjs). The output
// (a rig's or a snapclient's stdout) is a FIFO; this thread blocks in read(2) on it and
// stamps each read with CLOCK_MONOTONIC the moment the read returns, so when the impulse
// arrived is not delayed by the bench's event loop or the other output's reads. A single
// event loop reading both pipes was the harness's floor: p99 0.30 ms between two copies of
// one write (bench/bare-tee.mjs), larger than the 0.1 ms the skew goal asks to resolve.
// workerData: { fifo, kind: 'impulse' (audio, ImpulseTap) or 'note' (MIDI bytes, NoteTap),
// writeBytes?, cpus? (taskset's list: where this thread may run) }. Posts { index, ms, bytes, reads, continuations } per
// impulse found, and { done: true, bytes, reads, continuations } at the end of the stream;
// { opened: true } first, once it holds the FIFO open.
import { execFileSync } from 'node:child_process'
import { closeSync, openSync, readlinkSync, readSync } from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { ImpulseTap } from './impulse-tap.ts'
import { NoteTap } from './midi-tap.ts'
import { monotonicMs } from './tap-clock.mjs'

const { fifo, kind, writeBytes, cpus } = workerData
// Off the busy core of a busy-core case: a writer that wakes this thread may have it placed
// on its own core (the scheduler's wake-affine choice), and there it waited for the busy
// loop's slice, one 4 ms tick, whoever the writer was (Synchro's rig and a snapclient alike:
// busy-core p99 3.6-4.4 ms for both, SCHED_FIFO writer or not).
if (cpus !== undefined) {
  const tid = readlinkSync('/proc/thread-self').split('/').at(-1)
  execFileSync('taskset', ['-p', '-c', cpus, tid], { stdio: 'ignore' })
}
const tap = kind === 'note' ? new NoteTap() : new ImpulseTap(writeBytes === undefined ? {} : { writeBytes })
// O_RDONLY: the bench holds the FIFO open read-write until the writer has it, so this open
// returns at once, and the end of file comes when the writer's process is gone.
const fd = openSync(fifo, 'r')
parentPort.postMessage({ opened: true })
const buf = Buffer.allocUnsafe(1 << 16)
let reads = 0
let posted = 0
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null)
  const ms = monotonicMs()
  if (n === 0) break
  reads++
  tap.push(buf.subarray(0, n), ms)
  if (tap.seenMs.size === posted) continue
  // Impulses are kept in the order they were first seen: the new ones are the last.
  let k = 0
  for (const [index, seenMs] of tap.seenMs) {
    if (k++ < posted) continue
    parentPort.postMessage({ index, ms: seenMs, bytes: tap.bytes ?? 0, reads, continuations: tap.continuations ?? 0 })
  }
  posted = tap.seenMs.size
}
closeSync(fd)
parentPort.postMessage({ done: true, bytes: tap.bytes ?? 0, reads, continuations: tap.continuations ?? 0 })
