// A source that keeps time as a card does: packets written to a pipe at exact real-time
// pace from a thread of its own (Atomics.wait to just before each packet's time, then a
// spin), so a latency measured from a write is not the bench's own timer lateness (the
// event-loop pacer in lib.mjs writes 0-1 ms late, in bursts). Every `every`th packet after
// `warmup` carries impulse i (0, 1, ...) as the left sample of its first frame, valued
// `base + i` (the skew bench's convention, bench/impulse-tap.ts, whose IMPULSE_BASE the
// caller passes: a worker cannot load TypeScript); the thread reports each impulse's write
// time on the process's absolute clock (performance.timeOrigin + now) and on CLOCK_MONOTONIC
// (bench/tap-clock.mjs, the tap threads' clock). Given a second descriptor (noteFd), the
// thread writes impulse i's note-on there just before its packet (bench/midi-tap.ts's
// noteFor: note i mod 128, velocity 1 + i / 128), both in the same instant.
import { writeSync } from 'node:fs'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'
import { spinUntil } from '../dist/src/audio/spin-wait.js'
import { monotonicMs } from './tap-clock.mjs'

const SPIN_MS = 0.25
/** The spin reads the clock every few hundred checks (src/audio/spin-wait.ts: read by read, the thread scavenged every 0.1 s). */
const nowMs = () => performance.now()
const never = () => false

if (!isMainThread) {
  const { fd, noteFd, framesPerPacket, total, every, warmup, base } = workerData
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
    spinUntil(nowMs, due, never)
    let out = silence
    if (k >= warmup && (k - warmup) % every === 0) {
      const index = (k - warmup) / every
      impulse.writeInt16LE(base + index, 0)
      out = impulse
      if (noteFd !== undefined) writeSync(noteFd, Uint8Array.of(0x90, index & 0x7f, 1 + (index >> 7)))
      sent.push([index, performance.timeOrigin + performance.now(), monotonicMs()])
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
 * packet after `warmup` is impulse 0, 1, ... valued `base + index`, with its note-on into
 * `noteFd` if given. Resolves with Map(index -> write time on this process's
 * performance.now() clock), or on CLOCK_MONOTONIC (bench/tap-clock.mjs) if `monotonic`.
 */
export function preciseWrites(stream, framesPerPacket, total, every, warmup, base, { noteFd, monotonic = false } = {}) {
  const fd = stream._handle?.fd
  if (typeof fd !== 'number' || fd < 0) throw new Error('precise pacing needs a pipe with a file descriptor')
  const w = new Worker(new URL(import.meta.url), { workerData: { fd, noteFd, framesPerPacket, total, every, warmup, base } })
  return new Promise((resolve, reject) => {
    w.once('message', (sent) => resolve(new Map(sent.map(([v, abs, mono]) => [v, monotonic ? mono : abs - performance.timeOrigin]))))
    w.once('error', reject)
  })
}
