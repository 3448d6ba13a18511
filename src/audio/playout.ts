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
//
// On a lossy transport (UDP) the same buffer becomes a jitter buffer: the sample clock
// never waits. A frame that is not there when it is due is concealed (src/jitter/
// concealment.ts), a packet that comes after its frames were due is late (counted, and
// it deepens the buffer), and the depth adapts between --latency and a ceiling from what
// arrives (src/jitter/depth.ts). Loss is counted as RFC 3550 counts it: packets expected
// from the sequence numbers minus packets received, so reordering is not loss.

import { bytesPerFrame, msToFrames, type AudioFormat } from '../codec/format.js'
import { LIMITS } from '../codec/limits.js'
import { SeqWindow, seqDiff, TimestampUnwrapper } from '../codec/seq.js'
import type { Clock } from '../clock.js'
import type { AudioSink } from './sink.js'
import { Concealer } from '../jitter/concealment.js'
import { DepthController } from '../jitter/depth.js'

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
  /** Copies of packets already received (the network duplicated them): dropped. */
  packetsDuplicate: number
  underruns: number
  /** Times the latency governor pulled the schedule back toward --latency. */
  latencyTrims: number
  /** RFC 3550 interarrival jitter of the packets received, in ms. */
  jitterMs: number
  /** Audio waiting to be played, in ms. */
  bufferMs: number
  /** Lossy mode: the jitter buffer's current depth above the fastest transit, in ms. */
  depthMs: number
}

export function emptyPlayoutStats(): PlayoutStats {
  return {
    framesReceived: 0, framesPlayed: 0, framesConcealed: 0, packetsReceived: 0, packetsLost: 0,
    packetsLate: 0, packetsDuplicate: 0, underruns: 0, latencyTrims: 0, jitterMs: 0, bufferMs: 0, depthMs: 0,
  }
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
  /** Lossy transport: conceal on time instead of waiting (can change mid-show with setLossy). */
  lossy?: boolean
  /** Lossy mode: the deepest the jitter buffer may grow, in ms (default max(latency, 200)). */
  maxLatencyMs?: number | undefined
  /** Lossy mode: extra depth for the first window (default STARTUP_EXTRA_MS). */
  startupExtraMs?: number
}

/** How many recently played packet positions are remembered to tell a duplicate from a late packet. */
const RECENT_PLAYED = 64

export class Playout {
  readonly stats: PlayoutStats = emptyPlayoutStats()
  private readonly queue: Queued[] = []
  private queuedFrames = 0
  private readonly unwrap = new TimestampUnwrapper()
  private readonly depth: DepthController
  private readonly concealer: Concealer
  private readonly frameBytes: number
  private readonly maxQueuedFrames: number
  private readonly tickMs: number
  private lossy: boolean
  /** RFC 3550 A.1 style: extended highest seq, first seq, and packets received once each. */
  private firstSeq: number | undefined
  private highestSeq = 0
  private uniquePackets = 0
  private readonly seenSeq = new SeqWindow()
  private readonly recentPlayed = new Float64Array(RECENT_PLAYED).fill(-1)
  private recentAt = 0
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
  private initPos: number | undefined
  /** While draining: the position to reach, concealing what never came. */
  private endPos = 0
  private windowMinWaitMs = Infinity

  constructor(private readonly o: PlayoutOptions) {
    this.frameBytes = bytesPerFrame(o.format)
    this.lossy = o.lossy ?? false
    const ceilingMs = Math.max(o.latencyMs, o.maxLatencyMs ?? LIMITS.maxLatencyMs.default)
    this.depth = new DepthController(o.latencyMs, ceilingMs, o.startupExtraMs)
    this.concealer = new Concealer(o.format)
    // Never hold more than the deepest latency plus two seconds: a sender running fast must not grow memory.
    this.maxQueuedFrames = msToFrames(ceilingMs + 2000, o.format.rateHz)
    const packetMs = (o.format.framesPerPacket * 1000) / o.format.rateHz
    this.tickMs = Math.max(1, Math.min(10, Math.floor(packetMs / 2)))
    this.silence = new Uint8Array(o.format.framesPerPacket * this.frameBytes)
  }

  /** INIT said where the show starts for this rig (a 32-bit timestamp). */
  startAt(timestamp: number): void {
    if (!this.started) this.initPos = this.unwrap.unwrap(timestamp)
  }

  /** Switches between waiting for late audio (TCP) and concealing it on time (UDP). */
  setLossy(lossy: boolean): void {
    if (lossy === this.lossy) return
    this.lossy = lossy
    // From now on the jitter buffer owns the schedule: start it where the depth says.
    if (lossy && this.started) this.retime()
  }

  /** Takes one AUDIO packet: its sequence number, 32-bit timestamp and PCM (kept as a view). */
  push(seq: number, timestamp: number, pcm: Uint8Array): void {
    if (this.stopped) return
    const frames = Math.floor(pcm.byteLength / this.frameBytes)
    if (frames === 0) return
    const now = this.o.clock.now()
    const pos = this.unwrap.unwrap(timestamp)
    if (this.isDuplicate(pos)) {
      this.stats.packetsDuplicate++
      return
    }
    this.stats.packetsReceived++
    this.stats.framesReceived += frames
    this.countSeq(seq)
    this.depth.arrived(now, (pos * 1000) / this.o.format.rateHz)
    this.stats.jitterMs = this.depth.jitterMs
    this.stats.depthMs = this.depth.depthMs
    if (!this.started) {
      this.started = true
      // Audio that overtook a retransmitted INIT was dropped: start at INIT's position anyway,
      // so the missing head is concealed and the recording stays aligned with the show.
      const head = this.initPos !== undefined && pos > this.initPos && pos - this.initPos <= this.o.format.rateHz ? pos - this.initPos : 0
      this.anchorMs = now + this.o.latencyMs - (head * 1000) / this.o.format.rateHz
      this.anchorPos = pos - head
      this.playedPos = pos - head
      this.windowStartMs = this.anchorMs
      if (this.lossy) this.retime()
      this.schedule()
    } else if (this.lossy) {
      this.retime()
    }
    if (pos < this.playedPos) {
      // Some or all of its frames were due already: late. What is still ahead is used.
      this.stats.packetsLate++
      if (pos + frames <= this.playedPos) return
    }
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

  /** Lossy mode: moves the schedule to where the depth controller wants it. */
  private retime(): void {
    const rate = this.o.format.rateHz
    const wantAnchorMs = (this.anchorPos * 1000) / rate + this.depth.offsetMs
    if (Math.abs(wantAnchorMs - this.anchorMs) >= 0.25) this.anchorMs = wantAnchorMs
  }

  private countSeq(seq: number): void {
    if (this.firstSeq === undefined) {
      this.firstSeq = seq
      this.highestSeq = seq
    }
    if (this.seenSeq.mark(seq)) this.uniquePackets++
    const ahead = seqDiff(this.highestSeq & 0xffff, seq)
    if (ahead > 0) this.highestSeq += ahead
    const expected = this.highestSeq - this.firstSeq + 1
    this.stats.packetsLost = Math.max(0, expected - this.uniquePackets)
  }

  /** A copy of a packet that is queued, or was played from real audio recently. */
  private isDuplicate(pos: number): boolean {
    for (const q of this.queue) if (q.pos === pos) return true
    if (pos >= this.playedPos) return false
    return this.recentPlayed.includes(pos)
  }

  /**
   * Plays out what is buffered at the normal pace, then resolves. With `endTimestamp` (the
   * show's final position, from TERMINATE) a lossy playout also conceals lost packets at
   * the very end, so a recording has the show's length.
   */
  drain(endTimestamp?: number): Promise<void> {
    if (endTimestamp !== undefined && this.started && this.lossy) {
      const end = this.unwrap.unwrap(endTimestamp)
      // Never more than a second past what was played: a bogus position must not hold the rig.
      if (end > this.playedPos) this.endPos = Math.min(end, this.playedPos + this.o.format.rateHz)
    }
    if (this.stopped || !this.started || (this.queue.length === 0 && this.endPos <= this.playedPos)) {
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
        if (this.draining && this.playedPos >= this.endPos) {
          this.stop()
          return
        }
        if (!this.starved) this.stats.underruns++
        this.starved = true
        if (this.lossy) {
          // The sample clock does not wait on UDP: what is missing now is concealed now.
          this.conceal(Math.min(duePos, this.draining ? this.endPos : duePos) - this.playedPos)
          break
        }
        // Late, not lost: wait for it, and play it from now on (the latency grows by the wait).
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
        this.conceal(n, head.pcm, head.pos - this.playedPos)
        continue
      }
      const from = this.playedPos - head.pos
      const n = Math.min(head.frames - from, duePos - this.playedPos)
      const chunk = head.pcm.subarray(from * this.frameBytes, (from + n) * this.frameBytes)
      this.o.sink.write(chunk)
      this.concealer.played(chunk)
      if (from === 0) {
        this.recentPlayed[this.recentAt] = head.pos
        this.recentAt = (this.recentAt + 1) % RECENT_PLAYED
      }
      this.playedPos += n
      this.stats.framesPlayed += n
      if (from + n === head.frames) this.dropHead()
    }
    this.updateBufferMs()
    if (this.draining && this.queue.length === 0 && this.playedPos >= this.endPos) {
      this.stop()
      return
    }
    this.govern(now)
  }

  private govern(now: number): void {
    if (this.lossy || now - this.windowStartMs < GOVERNOR_WINDOW_MS) return
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

  /**
   * Fills `frames` missing frames. On TCP a gap means the server dropped audio for a slow
   * rig, long gone: silence. On UDP it is loss: continue the audio (src/jitter/concealment.ts).
   */
  private conceal(frames: number, next?: Uint8Array, untilNext?: number): void {
    if (this.lossy) {
      this.o.sink.write(this.concealer.conceal(frames, next, untilNext))
    } else {
      let left = frames
      while (left > 0) {
        const n = Math.min(left, this.o.format.framesPerPacket)
        this.o.sink.write(this.silence.subarray(0, n * this.frameBytes))
        left -= n
      }
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
