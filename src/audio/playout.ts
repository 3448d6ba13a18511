// Plays received audio into a sink at the sample rate, `latencyMs` after the first
// packet arrives. Playout is timed by media timestamps: show position P is played at
// anchorTime + (P - anchorPos) / rate, so the sink receives exactly one frame per
// frame of the show.
// - A gap in the timestamps (packets the server dropped for a slow rig) is filled
//   with silence, counted as concealed, so recordings stay aligned with the source.
// - A packet whose frames were already played is late: dropped and counted.
// - On a reliable transport an empty buffer means audio is late, not lost: the
//   playout waits for it (an underrun, counted) and re-anchors, so nothing is skipped.
// - Latency governor: whichever packet anchors the schedule sets the latency, so a late
//   anchor would leave every later packet waiting longer than --latency, forever. Each
//   packet's wait (arrival to its first frame's play time) is measured; once a second, if
//   the shortest wait exceeded the target by more than GOVERNOR_SLACK_MS, the schedule is
//   pulled earlier by the excess: buffered frames play sooner, none are dropped.

import { bytesPerFrame, msToFrames, type AudioFormat } from '../codec/format.js'
import { seqDiff, TimestampUnwrapper } from '../codec/seq.js'
import type { Clock } from '../session/clock.js'
import type { AudioSink } from './sink.js'
import { JitterEstimator } from '../jitter/jitter-estimator.js'

const GOVERNOR_WINDOW_MS = 1000
const GOVERNOR_SLACK_MS = 2

export interface PlayoutStats {
  framesReceived: number
  /** Frames written to the sink, concealed ones included: the sink's length. */
  framesPlayed: number
  framesConcealed: number
  packetsReceived: number
  packetsLost: number
  packetsLate: number
  underruns: number
  /** Times the latency governor pulled the schedule back toward --latency. */
  latencyTrims: number
  /** RFC 3550 interarrival jitter of the packets received, in ms. */
  jitterMs: number
  /** Audio waiting to be played, in ms. */
  bufferMs: number
}

interface Queued {
  pos: number
  pcm: Uint8Array
  frames: number
}

export interface PlayoutOptions {
  format: AudioFormat
  latencyMs: number
  sink: AudioSink
  clock: Clock
}

export class Playout {
  readonly stats: PlayoutStats = {
    framesReceived: 0, framesPlayed: 0, framesConcealed: 0, packetsReceived: 0,
    packetsLost: 0, packetsLate: 0, underruns: 0, latencyTrims: 0, jitterMs: 0, bufferMs: 0,
  }
  private readonly queue: Queued[] = []
  private queuedFrames = 0
  private readonly unwrap = new TimestampUnwrapper()
  private readonly jitter = new JitterEstimator()
  private readonly frameBytes: number
  private readonly maxQueuedFrames: number
  private readonly tickMs: number
  private expectedSeq: number | undefined
  private anchorMs = 0
  private anchorPos = 0
  private playedPos = 0
  private started = false
  private starved = false
  private timer: unknown
  private draining: (() => void) | undefined
  private stopped = false
  private silence: Uint8Array
  private windowStartMs = 0
  private windowMinWaitMs = Infinity

  constructor(private readonly o: PlayoutOptions) {
    this.frameBytes = bytesPerFrame(o.format)
    // Never hold more than the latency plus two seconds: a sender running fast must not grow memory.
    this.maxQueuedFrames = msToFrames(o.latencyMs + 2000, o.format.rateHz)
    const packetMs = (o.format.framesPerPacket * 1000) / o.format.rateHz
    this.tickMs = Math.max(1, Math.min(10, Math.floor(packetMs / 2)))
    this.silence = new Uint8Array(o.format.framesPerPacket * this.frameBytes)
  }

  /** Takes one AUDIO packet: its sequence number, 32-bit timestamp and PCM (kept as a view). */
  push(seq: number, timestamp: number, pcm: Uint8Array): void {
    if (this.stopped) return
    const frames = Math.floor(pcm.byteLength / this.frameBytes)
    if (frames === 0) return
    this.stats.packetsReceived++
    this.stats.framesReceived += frames
    if (this.expectedSeq !== undefined) {
      const gap = seqDiff(this.expectedSeq, seq)
      if (gap > 0) this.stats.packetsLost += gap
    }
    this.expectedSeq = (seq + 1) & 0xffff
    const pos = this.unwrap.unwrap(timestamp)
    this.stats.jitterMs = this.jitter.update(this.o.clock.now(), (pos * 1000) / this.o.format.rateHz)
    if (!this.started) {
      this.started = true
      this.anchorMs = this.o.clock.now() + this.o.latencyMs
      this.anchorPos = pos
      this.playedPos = pos
      this.windowStartMs = this.anchorMs
      this.schedule()
    }
    if (pos + frames <= this.playedPos) {
      // Its frames were already played (or concealed): too late to use.
      this.stats.packetsLate++
      return
    }
    const now = this.o.clock.now()
    const waitMs = this.anchorMs + ((pos - this.anchorPos) * 1000) / this.o.format.rateHz - now
    if (waitMs < this.windowMinWaitMs) this.windowMinWaitMs = waitMs
    // Keep the queue in timestamp order; in-order arrival (the usual case) is an append.
    let i = this.queue.length
    while (i > 0 && this.queue[i - 1]!.pos > pos) i--
    this.queue.splice(i, 0, { pos, pcm, frames })
    this.queuedFrames += frames
    while (this.queuedFrames > this.maxQueuedFrames && this.queue.length > 1) {
      const dropped = this.queue.shift()!
      this.queuedFrames -= dropped.frames
      this.stats.packetsLate++
    }
    this.updateBufferMs()
    // Already due (low --latency, or after an underrun): play now rather than at the next tick.
    if (waitMs <= 0) this.tick()
  }

  /** Plays out what is buffered at the normal pace, then resolves. */
  drain(): Promise<void> {
    if (this.stopped || !this.started || this.queue.length === 0) {
      this.stop()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.draining = resolve
    })
  }

  stop(): void {
    this.stopped = true
    this.updateBufferMs()
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer)
    this.timer = undefined
    const done = this.draining
    this.draining = undefined
    done?.()
  }

  /** Plays every frame that has come due. Public so tests can drive it on a manual clock. */
  tick(): void {
    if (this.stopped || !this.started) return
    const { rateHz } = this.o.format
    const now = this.o.clock.now()
    // Frame P is due once its time, anchorMs + (P - anchorPos) / rate, has come: so every
    // frame up to and including the one whose time is now (hence the + 1).
    const elapsedMs = now - this.anchorMs
    if (elapsedMs < 0) return
    const duePos = this.anchorPos + Math.floor((elapsedMs * rateHz) / 1000) + 1
    while (this.playedPos < duePos) {
      const head = this.queue[0]
      if (head === undefined) {
        if (this.draining) {
          this.stop()
          return
        }
        // Late, not lost: wait for it, and play it from now on (the latency grows by the wait).
        if (!this.starved) this.stats.underruns++
        this.starved = true
        this.anchorMs = now
        this.anchorPos = this.playedPos
        break
      }
      this.starved = false
      const headEnd = head.pos + head.frames
      if (headEnd <= this.playedPos) {
        this.dropHead()
        this.stats.packetsLate++
        continue
      }
      if (head.pos > this.playedPos) {
        const n = Math.min(head.pos - this.playedPos, duePos - this.playedPos)
        this.conceal(n)
        continue
      }
      const from = this.playedPos - head.pos
      const n = Math.min(head.frames - from, duePos - this.playedPos)
      this.o.sink.write(head.pcm.subarray(from * this.frameBytes, (from + n) * this.frameBytes))
      this.playedPos += n
      this.stats.framesPlayed += n
      if (from + n === head.frames) this.dropHead()
    }
    this.updateBufferMs()
    if (this.draining && this.queue.length === 0) {
      this.stop()
      return
    }
    this.govern(now)
  }

  private govern(now: number): void {
    if (now - this.windowStartMs < GOVERNOR_WINDOW_MS) return
    const excessMs = this.windowMinWaitMs - this.o.latencyMs
    if (Number.isFinite(excessMs) && excessMs > GOVERNOR_SLACK_MS) {
      this.anchorMs -= excessMs
      this.stats.latencyTrims++
    }
    this.windowStartMs = now
    this.windowMinWaitMs = Infinity
  }

  private updateBufferMs(): void {
    const head = this.queue[0]
    const consumed = head && head.pos < this.playedPos ? this.playedPos - head.pos : 0
    this.stats.bufferMs = ((this.queuedFrames - consumed) * 1000) / this.o.format.rateHz
  }

  private conceal(frames: number): void {
    let left = frames
    while (left > 0) {
      const n = Math.min(left, this.o.format.framesPerPacket)
      this.o.sink.write(this.silence.subarray(0, n * this.frameBytes))
      left -= n
    }
    this.playedPos += frames
    this.stats.framesPlayed += frames
    this.stats.framesConcealed += frames
  }

  private dropHead(): void {
    const head = this.queue.shift()
    if (head) this.queuedFrames -= head.frames
  }

  private schedule(): void {
    const run = (): void => {
      this.timer = undefined
      this.tick()
      if (!this.stopped) this.timer = this.o.clock.setTimeout(run, this.tickMs)
    }
    this.timer = this.o.clock.setTimeout(run, this.tickMs)
  }
}
