// A playout on its own thread (playout-worker.ts), driven from the rig's main thread: the
// same handle as an in-thread Playout, for a sink that is a pipe. Packets and commands go
// through the shared ring (playout-ring.ts), figures come back through shared memory
// (playout-stats.ts), and the thread ends when the playout has drained or stopped.

import type { Worker } from 'node:worker_threads'
import type { Lateness } from '../jitter/lateness.js'
import type { PlayoutOptions, PlayoutStats, ShowSchedule } from './playout.js'
import { createRing, RingWriter, type RingRecord } from './playout-ring.js'
import { PLAYOUT_STATS_SLOTS, readPlayoutStats } from './playout-stats.js'
import type { PlayoutWorkerData } from './playout-worker.js'
import { startThread } from '../start-thread.js'
import { scheduleMediaThread } from './media-thread-priority.js'
import type { ThreadScheduling } from './realtime-priority.js'

/** What a rig runner asks of its playout, in this thread or another. */
export interface PlayoutHandle {
  readonly stats: PlayoutStats
  readonly onShowClock: boolean
  latenessNow(): Lateness
  startAt(timestamp: number): void
  setLossy(lossy: boolean): void
  push(seq: number, timestamp: number, pcm: Uint8Array): void
  setShowSchedule(schedule: ShowSchedule): void
  drain(endTimestamp?: number): Promise<void>
  stop(): void
}

/** Room for about two seconds of 8-channel float audio at 96 kHz: far more than the jitter buffer holds in flight between two reads. */
const RING_BYTES = 8 * 1024 * 1024

export interface ThreadedPlayoutOptions extends Omit<PlayoutOptions, 'sink' | 'clock'> {
  /** The pipe's descriptor (stdout is 1), open in this process. */
  fd: number
}

export class ThreadedPlayout implements PlayoutHandle {
  private readonly ring: RingWriter
  private readonly shared: Float64Array
  private readonly worker: Worker
  private readonly exited: Promise<void>
  private gone = false
  /** What the thread's scheduling came to (src/audio/realtime-priority.ts). */
  readonly scheduling: Promise<ThreadScheduling>

  constructor(o: ThreadedPlayoutOptions) {
    const ring = createRing(RING_BYTES)
    this.ring = new RingWriter(ring)
    const stats = new SharedArrayBuffer(PLAYOUT_STATS_SLOTS * 8)
    this.shared = new Float64Array(stats)
    const workerData: PlayoutWorkerData = {
      ring,
      stats,
      format: o.format,
      latencyMs: o.latencyMs,
      maxLatencyMs: o.maxLatencyMs,
      lossy: o.lossy ?? false,
      adaptive: o.adaptive ?? false,
      fd: o.fd,
      mainTimeOrigin: performance.timeOrigin,
    }
    this.worker = startThread(import.meta.url, 'playout-worker', workerData)
    this.scheduling = scheduleMediaThread(this.worker, 'playout')
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', () => {
        this.gone = true
        resolve()
      })
      // A failed write on the thread (a reader that went away is not one: that stops the writing)
      // ends the thread; the rig's session goes on, and the operator is told once.
      this.worker.once('error', (err) => {
        process.stderr.write(`synchro: the playout thread stopped: ${err.message}\n`)
      })
    })
  }

  get stats(): PlayoutStats {
    return this.read().stats
  }

  get onShowClock(): boolean {
    return this.read().onShowClock
  }

  latenessNow(): Lateness {
    return this.read().lateness
  }

  startAt(timestamp: number): void {
    this.ring.write({ kind: 'start', timestamp })
  }

  setLossy(lossy: boolean): void {
    this.ring.write({ kind: 'lossy', lossy })
  }

  push(seq: number, timestamp: number, pcm: Uint8Array): void {
    if (!this.gone) this.ring.write({ kind: 'packet', seq, timestamp, pcm })
  }

  setShowSchedule(schedule: ShowSchedule): void {
    this.ring.write({ kind: 'schedule', ...schedule })
  }

  drain(endTimestamp?: number): Promise<void> {
    this.endOr({ kind: 'drain', endTimestamp })
    return this.exited
  }

  stop(): void {
    this.endOr({ kind: 'stop' })
  }

  /**
   * The session's last word to the thread. A ring too full to take it (the thread stopped
   * reading for seconds) must not leave the rig waiting for a drain that never comes: the
   * thread is ended instead. A lost packet is loss and a lost schedule is redone in 100 ms,
   * but nothing sends these twice.
   */
  private endOr(record: RingRecord): void {
    if (!this.ring.write(record)) void this.worker.terminate()
  }

  private read(): ReturnType<typeof readPlayoutStats> {
    return readPlayoutStats(this.shared)
  }
}
