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
// On the show clock (issue 12, docs/SYNC.md), for a sink that plays in real time (a pipe, a
// card): the runner gives the schedule (setShowSchedule: show position -> the rig's clock,
// latency and offset included) and every frame is handed over at its time, on TCP and UDP
// alike: the sample clock never waits, a frame missing at its time is concealed, a packet
// that comes after it is late (counted, dropped). Nothing deepens the buffer, unless the
// rig asked for --adaptive. Frames go out a packet at a time, each packet when its first
// frame is due, with that due time, so a pipe writer can write it then (playout-worker.ts).
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
import { LatenessWindow, type Lateness } from '../jitter/lateness.js'

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
  /** Deepen the buffer for late audio (the old adaptive jitter buffer) instead of keeping the show clock. */
  adaptive?: boolean
  /**
   * Play a packet that is already due as it arrives (default), rather than at the next tick.
   * A playout thread ticks right after taking every packet waiting for it, so it says no: a
   * packet must not be played ahead of the ones queued behind it.
   */
  playOnArrival?: boolean
}

/** Show position (32-bit) `anchorPos` leaves this rig at `anchorLocalMs`; each later frame `msPerFrame` after it. */
/** A show clock this much behind what was played is a source that paused, not jitter: rewind to it. */
export const REWIND_MIN_MS = 50

export interface ShowSchedule {
  anchorLocalMs: number
  anchorPos: number
  msPerFrame: number
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
  /** The show clock's schedule, once the runner has one (and the sink plays in real time). */
  private show: ShowSchedule | undefined
  private readonly lateness = new LatenessWindow()
  /** Times the read position went back to a show clock that moved later (a source that paused). */
  rewinds = 0

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

  /** Played out (drained) or stopped: nothing more will be written. */
  get finished(): boolean {
    return this.stopped
  }

  /** Whether frames go out on the show clock now. */
  get onShowClock(): boolean {
    return this.show !== undefined
  }

  /** How late audio has been arriving against its play time (the last full window). */
  latenessNow(): Lateness {
    return this.lateness.read(this.o.clock.now())
  }

  /**
   * The show clock's schedule (src/sync/show-time.ts), refreshed by the runner as the clock
   * estimate and the server's timeline move. Ignored for a recording sink and with --adaptive.
   */
  setShowSchedule(schedule: ShowSchedule): void {
    if (this.o.sink.realtime !== true || this.o.adaptive === true || this.stopped) return
    this.show = schedule
    if (this.buffer.started) this.applyShow()
  }

  /** The local time the next packet is due to go out, for a host that sleeps until then; undefined when not known. */
  nextDueMs(): number | undefined {
    if (!this.buffer.started) return undefined
    return this.schedule.playTimeMs(this.buffer.readPos) - this.leadMs()
  }

  private aheadMs(): number {
    return this.o.sink.aheadMs?.(this.o.format.framesPerPacket, this.o.latencyMs) ?? 0
  }

  private leadMs(): number {
    return this.o.sink.leadMs?.(this.o.format.framesPerPacket) ?? 0
  }

  private applyShow(): void {
    const sch = this.show
    if (!sch) return
    // The anchor's 32-bit position in this stream's unwrapped positions (it is near them: the runner anchors at the live position).
    const pos = this.buffer.unwrap(sch.anchorPos)
    this.schedule.anchor(sch.anchorLocalMs, pos, sch.msPerFrame)
    // The show clock moved later than what was played (a source that paused and came back):
    // with nothing waiting, play on from where the clock is now rather than drop as late
    // everything until the stream catches up with what was concealed through the pause.
    // Against the furthest the playout hands frames over (handAhead), so what went ahead is not taken for a pause.
    const due = this.schedule.positionAt(this.o.clock.now() + Math.max(this.leadMs(), this.aheadMs()))
    const b = this.buffer
    if (b.readPos - due > msToFrames(REWIND_MIN_MS, this.o.format.rateHz) && b.rewind(due)) this.rewinds++
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
    if (lossy && this.buffer.started && !this.show) this.schedule.follow(this.depth.offsetMs)
  }

  /** On the show clock the sample clock never waits, on TCP too: what is not there at its time is concealed. */
  private get concealsOnTime(): boolean {
    return this.lossy || this.show !== undefined
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
      if (this.show) {
        this.applyShow()
      } else {
        // The read position may start before this packet (INIT's position): that head is concealed.
        const head = pos - this.buffer.readPos
        this.schedule.anchor(now + this.o.latencyMs - framesToMs(head, rateHz), this.buffer.readPos)
        this.governor.start(this.schedule.anchorMs)
        if (this.lossy) this.schedule.follow(this.depth.offsetMs)
      }
      this.startTimer()
    } else if (this.lossy && !this.show) {
      this.schedule.follow(this.depth.offsetMs)
    }
    const waitMs = this.schedule.playTimeMs(pos) - this.leadMs() - now
    // Late against the show clock; before it (the schedule follows arrivals) lateness means nothing.
    if (this.show) this.lateness.arrived(now, -waitMs)
    if (result === 'late') return
    if (!this.show) this.governor.observe(waitMs)
    // Already due (low --latency, or after an underrun): play now rather than at the next tick.
    if (waitMs <= 0 && this.o.playOnArrival !== false) this.tick()
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
    const lead = this.leadMs()
    let duePos = this.schedule.duePos(now + lead)
    if (duePos === undefined) return this.handAhead(now, lead)
    // On the show clock a packet goes out whole when its first frame is due: round up to the packet's end.
    if (this.show) duePos = this.packetEnd(duePos)
    while (b.readPos < duePos) {
      if (b.size === 0) {
        if (this.draining && b.readPos >= this.endPos) {
          this.stop()
          return
        }
        if (!this.starved) this.underruns++
        this.starved = true
        // The sample clock does not wait on UDP (or on the show clock): what is missing now is
        // concealed now. A recording has no sample clock to keep: it waits for what comes next
        // (a gap is concealed in place when the audio after it arrives, the end when TERMINATE
        // says where the show ended), so it never runs on past the show's end while a lost
        // TERMINATE is sent again.
        if (this.concealsOnTime && (this.o.sink.realtime === true || this.draining)) {
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
      const dueMs = this.show ? this.schedule.playTimeMs(b.readPos) : undefined
      const chunk = b.read(duePos - b.readPos)
      this.o.sink.write(chunk, dueMs)
      this.concealer.played(chunk)
      this.framesPlayed += chunk.byteLength / this.frameBytes
    }
    this.handAhead(now, lead)
    if (this.draining && b.size === 0 && b.readPos >= this.endPos) {
      this.stop()
      return
    }
    if (!this.concealsOnTime) this.schedule.pullEarlier(this.governor.check(now))
  }

  /**
   * On the show clock, to a sink that holds frames until their time (a card's device host):
   * what is here and in order goes now, up to the sink's aheadMs, so a stall of this event
   * loop shorter than that does not keep it from the card (issue 13). A gap stops it: what
   * follows a gap waits for its time, when the gap is concealed (a packet late on UDP may
   * still come until then).
   */
  private handAhead(now: number, lead: number): void {
    const aheadMs = this.aheadMs()
    if (!this.show || this.stopped || aheadMs <= lead) return
    const b = this.buffer
    const aheadPos = this.schedule.positionAt(now + aheadMs)
    while (b.readPos < aheadPos && b.size > 0) {
      if (b.dropStaleHead()) continue
      if (b.framesUntilHead() > 0) return
      const dueMs = this.schedule.playTimeMs(b.readPos)
      // Whole packets, as on time (a packet goes out whole when its first frame is due).
      const chunk = b.read(Number.MAX_SAFE_INTEGER)
      this.o.sink.write(chunk, dueMs)
      this.concealer.played(chunk)
      this.framesPlayed += chunk.byteLength / this.frameBytes
    }
  }

  /** The end of the packet holding frame `pos - 1`: packets start at multiples of framesPerPacket from the show's start. */
  private packetEnd(pos: number): number {
    const n = this.o.format.framesPerPacket
    const from = this.buffer.readPos
    // Relative to the read position's packet grid, which a mid-show join starts on (the server's positions advance a packet at a time).
    return from + Math.ceil((pos - from) / n) * n
  }

  /**
   * Fills `frames` missing frames. On TCP a gap means the server dropped audio for a slow
   * rig, long gone: silence. On UDP it is loss: continue the audio (src/jitter/concealment.ts).
   */
  private conceal(frames: number, next?: Uint8Array, untilNext?: number): void {
    const dueMs = this.show ? this.schedule.playTimeMs(this.buffer.readPos) : undefined
    if (this.concealsOnTime) {
      const pcm = this.concealer.conceal(frames, next, untilNext)
      this.o.sink.write(pcm, dueMs)
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
