// Plays received audio into a sink at the sample rate, `latencyMs` after the first
// packet arrives. A thin runner: the jitter buffer (src/jitter/jitter-buffer.ts) keeps the
// packets in show order; the schedule (src/jitter/schedule.ts) says which frames are due;
// on each tick of the Clock the playout takes them and writes them to the sink.
// - A gap in the timestamps (packets the server dropped for a slow rig) is filled
//   with silence, counted as concealed, so recordings stay aligned with the source.
// - A packet whose frames were already played is late: dropped and counted.
// - On a reliable transport an empty buffer means audio is late, not lost: the
//   playout waits for it (an underrun, counted) and re-anchors, so nothing is skipped.
// - Latency governor (src/jitter/latency-governor.ts): whichever packet anchors the
//   schedule sets the latency; once a second a late anchor is pulled back toward --latency.
//
// On a lossy transport (UDP) the same buffer becomes a jitter buffer: the sample clock
// never waits. A frame that is not there when it is due is concealed (src/jitter/
// concealment.ts), a packet that comes after its frames were due is late (counted, and
// it deepens the buffer), and the depth adapts between --latency and a ceiling from what
// arrives (src/jitter/depth.ts). Loss is counted as RFC 3550 counts it (src/jitter/
// loss-counter.ts), so reordering is not loss.

import { bytesPerFrame, framesToMs, msToFrames, type AudioFormat } from '../codec/format.js'
import { maxDatagramBytes } from '../codec/datagrams.js'
import { HEADER_BYTES } from '../codec/header.js'
import { LIMITS } from '../codec/limits.js'
import type { Clock } from '../clock.js'
import type { AudioSink } from './sink.js'
import { Concealer } from '../jitter/concealment.js'
import { DepthController } from '../jitter/depth.js'
import { JitterBuffer } from '../jitter/jitter-buffer.js'
import { LatencyGovernor } from '../jitter/latency-governor.js'
import { PlayoutSchedule } from '../jitter/schedule.js'

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
    framesReceived: 0,
    framesPlayed: 0,
    framesConcealed: 0,
    packetsReceived: 0,
    packetsLost: 0,
    packetsLate: 0,
    packetsDuplicate: 0,
    underruns: 0,
    latencyTrims: 0,
    jitterMs: 0,
    bufferMs: 0,
    depthMs: 0,
  }
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

export class Playout {
  private readonly buffer: JitterBuffer
  private readonly schedule: PlayoutSchedule
  private readonly governor: LatencyGovernor
  private readonly depth: DepthController
  private readonly concealer: Concealer
  private readonly frameBytes: number
  private readonly tickMs: number
  private readonly silence: Uint8Array
  private lossy: boolean
  private framesPlayed = 0
  private framesConcealed = 0
  private underruns = 0
  private starved = false
  private timer: unknown
  private draining: (() => void) | undefined
  private stopped = false
  /** While draining: the position to reach, concealing what never came. */
  private endPos = 0

  constructor(private readonly o: PlayoutOptions) {
    this.frameBytes = bytesPerFrame(o.format)
    this.lossy = o.lossy ?? false
    const ceilingMs = Math.max(o.latencyMs, o.maxLatencyMs ?? LIMITS.maxLatencyMs.default)
    this.depth = new DepthController(o.latencyMs, ceilingMs, o.startupExtraMs)
    this.concealer = new Concealer(o.format)
    this.buffer = new JitterBuffer({
      frameBytes: this.frameBytes,
      // Never hold more than the deepest latency plus two seconds: a sender running fast must not grow memory.
      capacityFrames: msToFrames(ceilingMs + 2000, o.format.rateHz),
      framesPerSlot: smallestPacketFrames(o.format),
      maxHeadFrames: o.format.rateHz,
    })
    this.schedule = new PlayoutSchedule(o.format.rateHz)
    this.governor = new LatencyGovernor(o.latencyMs)
    const packetMs = framesToMs(o.format.framesPerPacket, o.format.rateHz)
    this.tickMs = Math.max(1, Math.min(10, Math.floor(packetMs / 2)))
    this.silence = new Uint8Array(o.format.framesPerPacket * this.frameBytes)
  }

  /** The counters as they stand: a new object each call (read when reporting, not per packet). */
  get stats(): PlayoutStats {
    const c = this.buffer.counts
    return {
      framesReceived: c.framesReceived,
      framesPlayed: this.framesPlayed,
      framesConcealed: this.framesConcealed,
      packetsReceived: c.packetsReceived,
      packetsLost: this.buffer.loss.lost,
      packetsLate: c.packetsLate,
      packetsDuplicate: c.packetsDuplicate,
      underruns: this.underruns,
      latencyTrims: this.governor.trims,
      jitterMs: this.depth.jitterMs,
      bufferMs: framesToMs(this.buffer.bufferedFrames, this.o.format.rateHz),
      depthMs: this.depth.depthMs,
    }
  }

  /** INIT said where the show starts for this rig (a 32-bit timestamp). */
  startAt(timestamp: number): void {
    this.buffer.startAt(timestamp)
  }

  /** Switches between waiting for late audio (TCP) and concealing it on time (UDP). */
  setLossy(lossy: boolean): void {
    if (lossy === this.lossy) return
    this.lossy = lossy
    // From now on the jitter buffer owns the schedule: start it where the depth says.
    if (lossy && this.buffer.started) this.schedule.follow(this.depth.offsetMs)
  }

  /** Takes one AUDIO packet: its sequence number, 32-bit timestamp and PCM (kept as a view). */
  push(seq: number, timestamp: number, pcm: Uint8Array): void {
    if (this.stopped || pcm.byteLength < this.frameBytes) return
    const now = this.o.clock.now()
    const first = !this.buffer.started
    const result = this.buffer.push(seq, timestamp, pcm)
    if (result === 'duplicate') return
    const pos = this.buffer.lastPos
    const { rateHz } = this.o.format
    this.depth.arrived(now, framesToMs(pos, rateHz))
    if (first) {
      // The read position may start before this packet (INIT's position): that head is concealed.
      const head = pos - this.buffer.readPos
      this.schedule.anchor(now + this.o.latencyMs - framesToMs(head, rateHz), this.buffer.readPos)
      this.governor.start(this.schedule.anchorMs)
      if (this.lossy) this.schedule.follow(this.depth.offsetMs)
      this.startTimer()
    } else if (this.lossy) {
      this.schedule.follow(this.depth.offsetMs)
    }
    if (result === 'late') return
    const waitMs = this.schedule.playTimeMs(pos) - now
    this.governor.observe(waitMs)
    // Already due (low --latency, or after an underrun): play now rather than at the next tick.
    if (waitMs <= 0) this.tick()
  }

  /**
   * Plays out what is buffered at the normal pace, then resolves. With `endTimestamp` (the
   * show's final position, from TERMINATE) a lossy playout also conceals lost packets at
   * the very end, so a recording has the show's length.
   */
  drain(endTimestamp?: number): Promise<void> {
    const b = this.buffer
    if (endTimestamp !== undefined && b.started && this.lossy) {
      const end = b.unwrap(endTimestamp)
      // Never more than a second past what was played: a bogus position must not hold the rig.
      if (end > b.readPos) this.endPos = Math.min(end, b.readPos + this.o.format.rateHz)
    }
    if (this.stopped || !b.started || (b.size === 0 && this.endPos <= b.readPos)) {
      this.stop()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.draining = resolve
    })
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer)
    this.timer = undefined
    const done = this.draining
    this.draining = undefined
    done?.()
  }

  /** Plays every frame that has come due. Public so tests can drive it on a manual clock. */
  tick(): void {
    const b = this.buffer
    if (this.stopped || !b.started) return
    const now = this.o.clock.now()
    const duePos = this.schedule.duePos(now)
    if (duePos === undefined) return
    while (b.readPos < duePos) {
      if (b.size === 0) {
        if (this.draining && b.readPos >= this.endPos) {
          this.stop()
          return
        }
        if (!this.starved) this.underruns++
        this.starved = true
        if (this.lossy) {
          // The sample clock does not wait on UDP: what is missing now is concealed now.
          this.conceal(Math.min(duePos, this.draining ? this.endPos : duePos) - b.readPos)
          break
        }
        // Late, not lost: wait for it, and play it from now on (the latency grows by the wait).
        this.schedule.anchor(now, b.readPos)
        break
      }
      this.starved = false
      if (b.dropStaleHead()) continue
      const gap = b.framesUntilHead()
      if (gap > 0) {
        this.conceal(Math.min(gap, duePos - b.readPos), b.headPcm(), gap)
        continue
      }
      const chunk = b.read(duePos - b.readPos)
      this.o.sink.write(chunk)
      this.concealer.played(chunk)
      this.framesPlayed += chunk.byteLength / this.frameBytes
    }
    if (this.draining && b.size === 0 && b.readPos >= this.endPos) {
      this.stop()
      return
    }
    if (!this.lossy) this.schedule.pullEarlier(this.governor.check(now))
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
    this.buffer.passConcealed(frames)
    this.framesPlayed += frames
    this.framesConcealed += frames
  }

  private startTimer(): void {
    const run = (): void => {
      this.timer = undefined
      this.tick()
      if (!this.stopped) this.timer = this.o.clock.setTimeout(run, this.tickMs)
    }
    this.timer = this.o.clock.setTimeout(run, this.tickMs)
  }
}

/** --mtu's floor (576, src/cli/serve.ts) less the IP, UDP and Synchro headers: the smallest whole MTU segment. */
const MIN_SEGMENT_BYTES = maxDatagramBytes(576) - HEADER_BYTES

/** The fewest frames a whole packet or MTU segment carries (the last of a split packet may carry fewer). */
function smallestPacketFrames(format: AudioFormat): number {
  return Math.max(1, Math.min(format.framesPerPacket, Math.floor(MIN_SEGMENT_BYTES / bytesPerFrame(format))))
}
