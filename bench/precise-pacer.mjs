// A source that keeps time as a card does: packets written to a pipe at exact real-time
// pace from a thread of its own (Atomics.wait to just before each packet's time, then a
// spin), so a latency measured from a write is not the bench's own timer lateness (the
// event-loop pacer in lib.mjs writes 0-1 ms late, in bursts). Every `every`th packet after
// `warmup` carries impulse i (0, 1, ...) as the left sample of its first frame, valued
// `base + i` (the skew bench's convention, bench/impulse-tap.ts, whose IMPULSE_BASE the
// caller passes: a worker cannot load TypeScript); the thread reports each impulse's write
// time on the process's absolute clock (performance.timeOrigin + now).
import { writeSync } from 'node:fs'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

const SPIN_MS = 0.25

if (!isMainThread) {
  const { fd, framesPerPacket, total, every, warmup, base } = workerData
  const packetMs = (framesPerPacket * 1000) / 48000
  const bytes = framesPerPacket * 4
  const silence = Buffer.alloc(bytes)
  const impulse = Buffer.alloc(bytes)
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  const sent = []
  const start = performance.now() + 5
  for (let k = 0; k < total; k++) {
    const due = start + k * packetMs
    const sleepMs = due - performance.now() - SPIN_MS
    if (sleepMs > 0) Atomics.wait(sleeper, 0, 0, sleepMs)
    while (performance.now() < due) {}
    let out = silence
    if (k >= warmup && (k - warmup) % every === 0) {
      const index = (k - warmup) / every
      impulse.writeInt16LE(base + index, 0)
      out = impulse
      sent.push([index, performance.timeOrigin + performance.now()])
    }
    let off = 0
    while (off < out.length) {
      try {
        off += writeSync(fd, out, off)
      } catch (err) {
        if (err.code !== 'EAGAIN') throw err
      }
    }
  }
  parentPort.postMessage(sent)
}

/**
 * Writes `total` packets into `stream` (a child's stdin) at exact pace; every `every`th
 * packet after `warmup` is impulse 0, 1, ... valued `base + index`. Resolves with
 * Map(index -> write time on this process's performance.now() clock).
 */
export function preciseWrites(stream, framesPerPacket, total, every, warmup, base) {
  const fd = stream._handle?.fd
  if (typeof fd !== 'number' || fd < 0) throw new Error('precise pacing needs a pipe with a file descriptor')
  const w = new Worker(new URL(import.meta.url), { workerData: { fd, framesPerPacket, total, every, warmup, base } })
  return new Promise((resolve, reject) => {
    w.once('message', (sent) => resolve(new Map(sent.map(([v, abs]) => [v, abs - performance.timeOrigin]))))
    w.once('error', reject)
  })
}
