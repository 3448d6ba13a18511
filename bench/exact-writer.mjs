// One of the skew bench's two exact writers (bench/skew.mjs's pair floor): a thread that
// writes the impulse train to a descriptor with each packet at its CLOCK_MONOTONIC due time
// (start + k * packet), sleeping in Atomics.wait and spinning the last SPIN_MS, as a rig's
// playout thread does. Two of them started on one start time write the same impulse at the
// same instant from two threads: what the harness then measures between them is its own
// error for two outputs that are exactly in step, where the tee's second write always
// waits for its first. workerData: { fd, framesPerPacket, packets, every, base, startMs }.
import { writeSync } from 'node:fs'
import { Worker, isMainThread, workerData } from 'node:worker_threads'
import { spinUntil } from '../dist/src/audio/spin-wait.js'
import { monotonicMs } from './tap-clock.mjs'

const never = () => false

const SPIN_MS = 0.25

if (!isMainThread) {
  const { fd, framesPerPacket, packets, every, base, startMs } = workerData
  const packetMs = (framesPerPacket * 1000) / 48000
  const silence = Buffer.alloc(framesPerPacket * 4)
  const impulse = Buffer.alloc(framesPerPacket * 4)
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  for (let k = 0; k < packets; k++) {
    const due = startMs + k * packetMs
    const sleepMs = due - monotonicMs() - SPIN_MS
    if (sleepMs > 0) Atomics.wait(sleeper, 0, 0, sleepMs)
    spinUntil(monotonicMs, due, never)
    let out = silence
    if (k % every === 0) {
      impulse.writeInt16LE(base + k / every, 0)
      out = impulse
    }
    writeSync(fd, out)
  }
}

/** Writes `packets` packets into `fd` from a thread, packet k at startMs + k * packet (CLOCK_MONOTONIC ms); resolves when done. */
export function exactWrites(fd, { framesPerPacket, packets, every, base, startMs }) {
  const w = new Worker(new URL(import.meta.url), { workerData: { fd, framesPerPacket, packets, every, base, startMs } })
  return new Promise((resolve, reject) => {
    w.once('exit', resolve)
    w.once('error', reject)
  })
}
