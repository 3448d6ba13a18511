// Carries out the rig machine's effects: frames to the transport, the media opened and
// started when the machine says so, audio into the playout, notices to the operator. The
// transport is handed in already connected; which one the session is on, and the move to
// the other on SWITCH, is the link's job (rig-link.ts).

import type { AudioSink } from '../audio/sink.js'
import { emptyPlayoutStats, Playout, type PlayoutOptions } from '../audio/playout.js'
import type { PlayoutHandle } from '../audio/threaded-playout.js'
import { MSG, peekType } from '../codec/header.js'
import { encodeControl, type TransportName } from '../codec/messages.js'
import type { Transport } from '../../transports/transport.js'
import type { Clock } from '../clock.js'
import { DEFAULT_PING_INTERVAL_MS, tickIntervalMs } from './keepalive.js'
import {
  initialRigState,
  stepRig,
  type RigConfig,
  type RigEffect,
  type RigEvent,
  type RigNotice,
  type RigOutcome,
  type RigState,
} from './rig-machine.js'
import { RigLink, type RigLinkNotice } from './rig-link.js'
import type { MidiOutput } from '../midi/endpoint.js'
import { MidiHub } from '../midi/midi-hub.js'
import type { MidiTiming } from '../midi/delivery.js'
import type { CompiledRoute } from '../midi/route.js'
import type { RigClockStats, RigMidiStats, RigStats, RigSyncStats } from './stats.js'
import { RigSync, toSyncReport } from '../sync/rig-sync.js'
import { ShowTime, type ServerClock } from '../sync/show-time.js'
import { ClockEstimator } from '../sync/clock-estimator.js'

/** Notices the runner adds to the machine's: how a switch went. */
export type RigRunnerNotice = RigNotice | RigLinkNotice

export interface RigRunnerOptions {
  config: RigConfig
  transport: Transport
  sink: AudioSink
  /** `join --latency`: this rig's own latency (ms), knowingly out of step with the show; undefined: the show's. */
  latencyMs: number | undefined
  /** `join --offset`: play this much later (+) or earlier (-) than the show time, ms. */
  offsetMs?: number
  /** Makes the playout (default: in this thread); the CLI puts a pipe's on its own thread (src/audio/threaded-playout.ts). */
  makePlayout?: (o: PlayoutOptions) => PlayoutHandle
  /** `join --adaptive`: deepen the buffer for late audio instead of keeping the show clock. */
  adaptive?: boolean
  /** The deepest the UDP jitter buffer may grow (ms). */
  maxLatencyMs?: number
  clock: Clock
  onNotice: (notice: RigRunnerNotice) => void
  /** Opens a connection to the same server on the given transport (for SWITCH). */
  connect?: (to: TransportName) => Promise<Transport>
  /** Where the server's MIDI goes; the caller owns (and closes) them. */
  midiOutputs?: readonly MidiOutput[]
  midiRoute?: CompiledRoute
  /** `join --midi-timing`: the server's MIDI at its show time, with the audio, or at once. @default 'show' */
  midiTiming?: MidiTiming
}

/** Receiver reports twice a second: the operator's view of each rig, and proof of life on UDP. */
export const REPORT_INTERVAL_MS = 500
/** A rig's MIDI has one peer: the server. */
const SERVER = 0

export class RigRunner {
  private state: RigState
  private readonly link: RigLink
  private playout: PlayoutHandle | undefined
  private tickTimer: unknown
  private reportTimer: unknown
  private timeTimer: unknown
  /** The estimate of the server's clock: the session's, so it survives a transport switch. */
  private readonly serverClock = new ClockEstimator()
  /** How this rig keeps the show's time: its latency, offset, lateness. */
  private readonly sync: RigSync
  private resolveDone!: (o: RigOutcome) => void
  private ended = false
  /** Show position -> this rig's clock (timeline, clock estimate, latency, offset), made at HELLO: the audio plays by it, the server's MIDI is delivered by it, this rig's own stamped with it. */
  private showTime: ShowTime | undefined
  private scheduleTimer: unknown
  private readonly midi: MidiHub
  private earlyMidi: Uint8Array[] = []
  /** Resolves when the session has ended and the sink is flushed. */
  readonly done: Promise<RigOutcome>

  constructor(private readonly o: RigRunnerOptions) {
    this.state = initialRigState({ ...o.config, awaitsMedia: o.config.awaitsMedia ?? o.sink.ready !== undefined }, DEFAULT_PING_INTERVAL_MS)
    this.sync = new RigSync({ latencyMs: o.latencyMs, offsetMs: o.offsetMs ?? 0 })
    this.done = new Promise((r) => (this.resolveDone = r))
    this.link = new RigLink(
      o.transport,
      {
        frame: (bytes, ordered) => this.onFrame(bytes, ordered),
        badFrame: (error) => this.dispatch({ type: 'badFrame', error }),
        disconnect: (reason) => this.dispatch({ type: 'disconnect', reason }),
        moved: (next, early) => {
          this.playout?.setLossy(!next.reliable)
          this.midi.movePeer(SERVER, SERVER)
          for (const bytes of early) this.dispatch({ type: 'frame', bytes, ordered: next.reliable })
        },
        notice: (n) => this.o.onNotice(n),
        ended: () => this.ended,
      },
      { clock: o.clock, connect: o.connect },
    )
    this.midi = new MidiHub({
      clock: o.clock,
      sessionId: () => this.state.sessionId,
      positionNow: () => (this.state.phase === 'streaming' ? (this.showTime?.positionAt(o.clock.now()) ?? 0) : undefined),
      send: (_server, frame) => this.transport.send(frame, 'control'),
      reliable: () => this.transport.reliable,
      outputs: o.midiOutputs ?? [],
      ...(o.midiRoute ? { route: o.midiRoute } : {}),
      timing: o.midiTiming ?? 'show',
      showTime: () => this.showTime,
    })
    this.dispatch({ type: 'connected' })
    const every = tickIntervalMs(DEFAULT_PING_INTERVAL_MS)
    const tick = (): void => {
      this.dispatch({ type: 'tick' })
      if (!this.ended) this.tickTimer = o.clock.setTimeout(tick, every)
    }
    this.tickTimer = o.clock.setTimeout(tick, every)
    const report = (): void => {
      this.sendReport()
      if (!this.ended) this.reportTimer = o.clock.setTimeout(report, REPORT_INTERVAL_MS)
    }
    this.reportTimer = o.clock.setTimeout(report, REPORT_INTERVAL_MS)
  }

  /** The transport the session is on now. */
  private get transport(): Transport {
    return this.link.current
  }

  get phase(): string {
    return this.state.phase
  }

  /** One MIDI message from this rig's own inputs, to the server (dropped before INIT). */
  pushMidi(data: Uint8Array): void {
    if (!this.ended) this.midi.push(data)
  }

  /** The rig's own operator stops it: tell the server, flush the sink. */
  stop(reason: string): void {
    this.dispatch({ type: 'stop', reason })
  }

  stats(): RigStats {
    const p = this.playout?.stats ?? emptyPlayoutStats()
    return {
      ...p,
      bufferMs: round(p.bufferMs, 10),
      jitterMs: round(p.jitterMs, 100),
      depthMs: round(p.depthMs, 10),
      phase: this.state.phase,
      transport: this.transport.kind,
      rttMs: this.state.rttMs === undefined ? null : round(this.state.rttMs, 100),
      packetsRecovered: this.link.packetsRecovered,
      switches: this.link.switches,
      midi: this.midiStats(),
      device: this.o.sink.deviceStats?.() ?? null,
      clock: this.clockStats(),
      sync: this.syncStats(),
    }
  }

  /** Whether this rig plays on the show clock (docs/SYNC.md). */
  syncStats(): RigSyncStats {
    const p = this.playout
    return this.sync.stats(p?.onShowClock ?? false, this.clockStats()?.errorMs, p?.latenessNow() ?? NO_LATENESS)
  }

  /** The server's clock as this rig estimates it; null before the first time exchange. */
  clockStats(): RigClockStats | null {
    const e = this.serverClock.estimate(this.o.clock.now())
    if (!e) return null
    return {
      offsetMs: round(e.offsetMs, 1000),
      rttMs: round(e.rttMs, 1000),
      driftPpm: round(e.driftPpm, 10),
      // Rounded up: a bound rounded down would claim more than it knows.
      errorMs: Math.ceil(e.errorMs * 1000) / 1000,
      samples: e.samples,
      steps: e.steps,
    }
  }

  midiStats(): RigMidiStats {
    const m = this.midi.stats()
    return {
      received: m.received,
      out: m.messagesOut,
      lost: m.lost,
      late: m.late,
      duplicates: m.duplicates,
      released: m.released,
      sent: m.messagesIn,
    }
  }

  private onFrame(bytes: Uint8Array, ordered: boolean): void {
    // On UDP the first MIDI can overtake INIT: held (a few) and played once INIT is in,
    // rather than dropped and left to the journal's repeat 10 ms later.
    if (!ordered && this.state.phase === 'ready' && peekType(bytes) === MSG.MIDI) {
      if (this.earlyMidi.length < 64) this.earlyMidi.push(bytes)
      return
    }
    this.dispatch({ type: 'frame', bytes, ordered })
  }

  private dispatch(event: RigEvent): void {
    const { state, effects } = stepRig(this.state, event, this.o.clock.now())
    this.state = state
    for (const fx of effects) this.perform(fx)
  }

  private perform(fx: RigEffect): void {
    switch (fx.kind) {
      case 'send':
        this.transport.send(fx.frame, 'control')
        return
      case 'setMaxPayload':
        this.transport.setMaxPayload(fx.bytes)
        return
      case 'audio':
        this.playout?.push(fx.header.seq, fx.header.timestamp, fx.pcm)
        return
      case 'midi': {
        this.midi.receive(SERVER, fx.midi)
        return
      }
      case 'midiAck':
        this.midi.ack(SERVER, fx.next)
        return
      case 'openMedia': {
        const format = fx.format
        this.o.sink.open(format)
        if (this.state.config.awaitsMedia) this.awaitMedia()
        this.showTime = new ShowTime({
          rateHz: format.rateHz,
          clock: serverClockOf(this.serverClock),
          latencyMs: this.sync.latencyMs,
          offsetMs: this.sync.offsetMs,
        })
        return
      }
      case 'startPlayout': {
        if (fx.latencyMs !== undefined) this.sync.showLatencyMs = fx.latencyMs
        if (this.showTime) this.showTime.latencyMs = this.sync.latencyMs
        if (fx.timeline) this.showTime?.setTimeline(fx.timeline)
        // Made at INIT, not HELLO: the latency it plays at is the show's, which INIT brings.
        const format = this.state.hello?.format
        if (format) {
          this.playout = (this.o.makePlayout ?? ((po: PlayoutOptions) => new Playout(po)))({
            format,
            latencyMs: this.sync.latencyMs,
            maxLatencyMs: this.o.maxLatencyMs,
            sink: this.o.sink,
            clock: this.o.clock,
            lossy: !this.transport.reliable,
            ...(this.o.adaptive ? { adaptive: true } : {}),
          })
        }
        this.playout?.startAt(fx.position)
        this.refreshSchedule()
        this.midi.addPeer(SERVER)
        const early = this.earlyMidi
        this.earlyMidi = []
        queueMicrotask(() => {
          for (const bytes of early) this.dispatch({ type: 'frame', bytes, ordered: false })
        })
        return
      }
      case 'notify':
        this.o.onNotice(fx.notice)
        return
      case 'switch':
        // Moving transports: nothing held may hang on the move (the server's journal resends what is in flight).
        this.midi.releaseHeld()
        void this.link.switchTo(fx.to, fx.token, {
          sessionId: this.state.sessionId,
          maxPayload: this.state.maxPayload,
          name: this.o.config.name,
        })
        return
      case 'close':
        void this.transport.close()
        return
      case 'end':
        void this.finish(fx.outcome)
        return
      case 'scheduleTimeExchange':
        if (this.timeTimer !== undefined) this.o.clock.clearTimeout(this.timeTimer)
        this.timeTimer = this.o.clock.setTimeout(() => {
          this.timeTimer = undefined
          if (!this.ended) this.dispatch({ type: 'timeExchangeDue' })
        }, fx.ms)
        return
      case 'timeSample':
        this.serverClock.add(fx.sample)
        this.refreshSchedule()
        return
      case 'timeline':
        this.showTime?.setTimeline(fx.timeline)
        this.refreshSchedule()
        return
    }
  }

  /**
   * A sink that opens slowly (a card): the machine's HELLO_REPLY waits until it plays, or at
   * most MEDIA_WAIT_MS, after which the rig joins anyway and its card plays once it can.
   */
  private awaitMedia(): void {
    let done = false
    const go = (): void => {
      if (done) return
      done = true
      this.o.clock.clearTimeout(timer)
      if (!this.ended) this.dispatch({ type: 'mediaReady' })
    }
    const timer = this.o.clock.setTimeout(go, MEDIA_WAIT_MS)
    void (this.o.sink.ready?.() ?? Promise.resolve()).then(go, go)
  }

  /**
   * Hands the playout the show clock's schedule as it stands: a line through the live
   * position, redone on every time sample and timeline, and every SCHEDULE_REFRESH_MS while
   * streaming (the clock estimate slews between samples).
   */
  private refreshSchedule(): void {
    const st = this.showTime
    const playout = this.playout
    if (!st || !playout || this.state.phase !== 'streaming' || this.ended) return
    if (this.scheduleTimer === undefined) {
      const again = (): void => {
        this.scheduleTimer = undefined
        this.refreshSchedule()
      }
      this.scheduleTimer = this.o.clock.setTimeout(again, SCHEDULE_REFRESH_MS)
    }
    const now = this.o.clock.now()
    const anchorPos = st.positionAt(now)
    if (anchorPos === undefined) return
    const at = st.localTimeOf(anchorPos)
    // One second of show later, through the same mapping: the schedule's rate carries both clocks' drift.
    const later = st.localTimeOf((anchorPos + this.rateHz) >>> 0)
    if (at === undefined || later === undefined) return
    playout.setShowSchedule({ anchorLocalMs: at, anchorPos, msPerFrame: (later - at) / this.rateHz })
  }

  private get rateHz(): number {
    return this.state.hello?.format.rateHz ?? 48000
  }

  private sendReport(): void {
    const p = this.playout?.stats
    if (!p || this.state.phase !== 'streaming') return
    const midi = this.midi.stats()
    const body = {
      packetsReceived: p.packetsReceived,
      packetsLost: p.packetsLost,
      packetsLate: p.packetsLate,
      packetsRecovered: this.link.packetsRecovered,
      framesConcealed: p.framesConcealed,
      underruns: p.underruns,
      jitterMs: round(p.jitterMs, 100),
      bufferMs: round(Math.max(0, p.bufferMs), 10),
      midiReceived: midi.received,
      midiLost: midi.lost,
      sync: toSyncReport(this.syncStats()),
    }
    this.transport.send(encodeControl({ type: MSG.REPORT, body }, { sessionId: this.state.sessionId }), 'control')
  }

  private async finish(outcome: RigOutcome): Promise<void> {
    if (this.ended) return
    this.ended = true
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    if (this.reportTimer !== undefined) this.o.clock.clearTimeout(this.reportTimer)
    if (this.timeTimer !== undefined) this.o.clock.clearTimeout(this.timeTimer)
    if (this.scheduleTimer !== undefined) this.o.clock.clearTimeout(this.scheduleTimer)
    // A show that ended well plays its last MIDI at its time, as it does its last samples.
    if (outcome.drain) await this.midi.whenDelivered()
    // However the session ends, nothing it played may keep sounding.
    this.midi.stop()
    if (this.playout) {
      if (outcome.drain) await this.playout.drain(outcome.endPosition)
      else this.playout.stop()
    }
    await this.o.sink.close()
    this.resolveDone(outcome)
  }
}

/**
 * The longest a rig waits for its card before it tells the server it has joined: the server
 * drops a rig with no HELLO_REPLY after 5 s (show.ts, handshakeTimeoutMs), and a card opens
 * in ~0.3 s through the ALSA jack plugin here (a probe and a warm device host).
 */
export const MEDIA_WAIT_MS = 3000

/** The show clock's schedule is redone this often between time samples: the estimate slews at most 500 ppm, 0.05 ms in this time. */
export const SCHEDULE_REFRESH_MS = 100

const NO_LATENESS = { share: 0, worstMs: 0 }

/** The estimator as the show time asks for it: undefined, not NaN, before the first exchange. */
function serverClockOf(e: ClockEstimator): ServerClock {
  return {
    toServer: (localMs) => {
      const v = e.toServer(localMs)
      return Number.isNaN(v) ? undefined : v
    },
    toLocal: (serverMs) => {
      const v = e.toLocal(serverMs)
      return Number.isNaN(v) ? undefined : v
    },
  }
}

function round(v: number, per: number): number {
  return Math.round(v * per) / per
}
