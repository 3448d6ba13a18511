// The playout thread of a rig whose sink is a pipe (`--sink raw:-` into aplay, sox, a
// mixer): the jitter buffer, the show-clock schedule and the writes, alone on a thread, so a
// packet goes out when it is due to within tens of microseconds rather than at the main
// event loop's next 1 ms timer tick or after its stalls (issue 12: setTimeout's lateness was
// 0.59 ms per packet, stalls of 3-8 ms per 2 s window). It never returns to an event loop:
// it sleeps in Atomics.wait until the next packet is due or the main thread writes to the
// ring (playout-ring.ts), spins the last SPIN_MS (Atomics.wait alone wakes 0.09-0.10 ms late
// at p50 on this machine, measured; with the spin, 0.0001 ms), and writes with writeSync.
// Its figures go back through a shared Float64Array (playout-stats.ts).

import { workerData } from 'node:worker_threads'
import type { Clock } from '../clock.js'
import type { AudioFormat } from '../codec/format.js'
import { RawWriter } from '../raw-writer.js'
import { announceMediaThread } from './media-thread-priority.js'
import { mainThreadNow, waitForRing } from './spin-wait.js'
import { Playout } from './playout.js'
import { RingReader, type RingBuffers, type RingRecord } from './playout-ring.js'
import { writePlayoutStats } from './playout-stats.js'
import type { AudioSink } from './sink.js'

export interface PlayoutWorkerData {
  ring: RingBuffers
  stats: SharedArrayBuffer
  format: AudioFormat
  latencyMs: number
  maxLatencyMs: number | undefined
  lossy: boolean
  adaptive: boolean
  /** The sink's file descriptor, opened by the main thread (stdout is 1). */
  fd: number
  /** The main thread's performance.timeOrigin: its clock is the rig's, and the schedule's times are on it. */
  mainTimeOrigin: number
}

/** Wake at least this often with nothing due, to publish figures. */
const IDLE_WAKE_MS = 20

announceMediaThread()
const d = workerData as PlayoutWorkerData
const now = mainThreadNow(d.mainTimeOrigin)
// The loop below drives the playout: its own timer never fires here.
const clock: Clock = { now, setTimeout: () => undefined, clearTimeout: () => {} }

const writer = new RawWriter(d.fd)
const sink: AudioSink = {
  description: 'raw pipe (playout thread)',
  realtime: true,
  open: () => {},
  write: (pcm) => writer.write(pcm),
  close: async () => {},
}
const playout = new Playout({
  format: d.format,
  latencyMs: d.latencyMs,
  maxLatencyMs: d.maxLatencyMs,
  sink,
  clock,
  lossy: d.lossy,
  playOnArrival: false,
  ...(d.adaptive ? { adaptive: true } : {}),
})
const ring = new RingReader(d.ring)
const stats = new Float64Array(d.stats)
let stopping = false
/** Figures are copied out at most this often (a playout's stats are a new object each read). */
const STATS_EVERY_MS = 20
let statsAtMs = Number.NEGATIVE_INFINITY

function take(r: RingRecord): void {
  switch (r.kind) {
    case 'packet':
      // The ring's bytes are reused once read: the jitter buffer keeps a copy.
      playout.push(r.seq, r.timestamp, r.pcm.slice())
      return
    case 'start':
      playout.startAt(r.timestamp)
      return
    case 'lossy':
      playout.setLossy(r.lossy)
      return
    case 'schedule':
      playout.setShowSchedule(r)
      return
    case 'drain':
      void playout.drain(r.endTimestamp)
      return
    case 'stop':
      stopping = true
      playout.stop()
      return
  }
}

for (;;) {
  ring.drain(take)
  if (stopping || playout.finished) break
  playout.tick()
  if (playout.finished) break
  const t = now()
  if (t - statsAtMs >= STATS_EVERY_MS) {
    writePlayoutStats(stats, playout)
    statsAtMs = t
  }
  const due = playout.nextDueMs()
  waitForRing(ring, now, Math.min(due ?? t + IDLE_WAKE_MS, t + IDLE_WAKE_MS), true)
}
writePlayoutStats(stats, playout, true)
