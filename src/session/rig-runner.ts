// Carries out the rig machine's effects: frames to the transport, audio into the
// playout, notices to the operator. The transport is handed in already connected; on a
// SWITCH the runner opens the other transport through `connect`, resumes the session
// there (rig-switch.ts) and swaps it in under the same machine and playout, so the
// session keeps its name, counters and place in the stream.

import type { AudioSink } from '../audio/sink.js'
import { emptyPlayoutStats, Playout } from '../audio/playout.js'
import { MSG } from '../codec/header.js'
import { encodeControl, type TransportName } from '../codec/messages.js'
import type { Transport, TransportStats } from '../../transports/transport.js'
import { InvalidStateError, type SynchroError } from '../errors.js'
import type { Clock } from '../clock.js'
import { DEFAULT_PING_INTERVAL_MS, tickIntervalMs } from './keepalive.js'
import {
  initialRigState, stepRig, type RigConfig, type RigEffect, type RigEvent, type RigNotice, type RigOutcome, type RigState,
} from './rig-machine.js'
import { resumeOn } from './rig-switch.js'
import { encodeMidiAck } from '../codec/midi.js'
import type { MidiOutput } from '../midi/endpoint.js'
import { MidiDelivery } from '../midi/delivery.js'
import { MidiOutbound } from '../midi/outbound.js'
import { MidiReceiver } from '../midi/receiver.js'
import { CompiledRoute, PASS_ALL } from '../midi/route.js'
import { ShowClockMap } from '../midi/show-clock.js'
import type { RigMidiStats, RigStats } from './stats.js'

/** Notices the runner adds to the machine's: how a switch went. */
export type RigRunnerNotice =
  | RigNotice
  | { event: 'switched'; from: string; to: TransportName }
  | { event: 'switch-failed'; to: TransportName; reason: string }

export interface RigRunnerOptions {
  config: RigConfig
  transport: Transport
  sink: AudioSink
  latencyMs: number
  /** The deepest the UDP jitter buffer may grow (ms). */
  maxLatencyMs?: number
  clock: Clock
  onNotice: (notice: RigRunnerNotice) => void
  /** Opens a connection to the same server on the given transport (for SWITCH). */
  connect?: (to: TransportName) => Promise<Transport>
  /** Where the server's MIDI goes; the caller owns (and closes) them. */
  midiOutputs?: readonly MidiOutput[]
  midiRoute?: CompiledRoute
  /** Deliver MIDI this long after its show time (ms); undefined: at once (lowest latency). */
  midiJitterMs?: number
}

/** Receiver reports twice a second: the operator's view of each rig, and proof of life on UDP. */
export const REPORT_INTERVAL_MS = 500
/** The whole move (connect, HELLO, RESUME, RESUMED) must fit in this. */
const SWITCH_TIMEOUT_MS = 1000

type UdpExtras = TransportStats & { packetsRecovered?: number }

export class RigRunner {
  private state: RigState
  private transport: Transport
  private detachCurrent: () => void = () => {}
  private playout: Playout | undefined
  private tickTimer: unknown
  private reportTimer: unknown
  private resolveDone!: (o: RigOutcome) => void
  private ended = false
  private switching = false
  private closedWhileSwitching: string | undefined
  private switches = 0
  private recoveredBefore = 0
  private showClock: ShowClockMap | undefined
  private readonly midiIn = new MidiReceiver()
  private midiDelivery: MidiDelivery | undefined
  private readonly midiOut: MidiOutbound
  private earlyMidi: Uint8Array[] = []
  /** Resolves when the session has ended and the sink is flushed. */
  readonly done: Promise<RigOutcome>

  constructor(private readonly o: RigRunnerOptions) {
    this.state = initialRigState(o.config, DEFAULT_PING_INTERVAL_MS)
    this.done = new Promise((r) => (this.resolveDone = r))
    this.transport = o.transport
    this.midiOut = new MidiOutbound({
      inputs: [],
      clock: o.clock,
      sessionId: () => this.state.sessionId,
      positionNow: () => (this.state.phase === 'streaming' ? this.showClock?.positionAt(o.clock.now()) ?? 0 : undefined),
      send: (m) => {
        for (const f of m.frames) this.transport.send(f, 'control')
      },
    })
    this.use(o.transport)
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

  get phase(): string {
    return this.state.phase
  }

  /** One MIDI message from this rig's own inputs, to the server (dropped before INIT). */
  pushMidi(data: Uint8Array): void {
    if (!this.ended) this.midiOut.push(data)
  }

  /** The rig's own operator stops it: tell the server, flush the sink. */
  stop(reason: string): void {
    this.dispatch({ type: 'stop', reason })
  }

  stats(): RigStats {
    const p = this.playout?.stats ?? emptyPlayoutStats()
    const t = this.transport.stats as UdpExtras
    return {
      ...p,
      bufferMs: round(p.bufferMs, 10),
      jitterMs: round(p.jitterMs, 100),
      depthMs: round(p.depthMs, 10),
      phase: this.state.phase,
      transport: this.transport.kind,
      rttMs: this.state.rttMs === undefined ? null : round(this.state.rttMs, 100),
      packetsRecovered: this.recoveredBefore + (t.packetsRecovered ?? 0),
      switches: this.switches,
      midi: this.midiStats(),
      device: this.o.sink.deviceStats?.() ?? null,
    }
  }

  midiStats(): RigMidiStats {
    const r = this.midiIn.stats
    return {
      received: r.messagesReceived, out: this.midiDelivery?.messagesOut ?? 0, lost: r.lost, duplicates: r.duplicates,
      released: this.midiDelivery?.released ?? 0, sent: this.midiOut.messagesIn,
    }
  }

  /** Listens to a transport. Its 'close' ends the session only while it is the current one. */
  private use(t: Transport): void {
    const ordered = t.reliable
    const onFrame = (bytes: Uint8Array): void => {
      // On UDP the first MIDI can overtake INIT: held (a few) and played once INIT is in,
      // rather than dropped and left to the journal's repeat 10 ms later.
      if (!ordered && this.state.phase === 'ready' && bytes[3] === MSG.MIDI) {
        if (this.earlyMidi.length < 64) this.earlyMidi.push(bytes)
        return
      }
      this.dispatch({ type: 'frame', bytes, ordered })
    }
    const onBad = (error: SynchroError): void => {
      if (t === this.transport) this.dispatch({ type: 'badFrame', error })
    }
    const onClose = (err?: Error): void => {
      t.off('frame', onFrame)
      t.off('badFrame', onBad)
      if (t !== this.transport) return
      const reason = err ? err.message : 'the connection closed without TERMINATE'
      // Mid-switch the server retires the old connection as soon as the new one is in use,
      // and its close can overtake RESUMED: the switch decides whether this ends the session.
      if (this.switching) this.closedWhileSwitching = reason
      else this.dispatch({ type: 'disconnect', reason })
    }
    t.on('frame', onFrame)
    t.on('badFrame', onBad)
    t.once('close', onClose)
    // Retiring a transport keeps its 'frame' listener until it closes: audio still in flight on it is played.
    this.detachCurrent = () => t.off('badFrame', onBad)
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
        this.showClock?.observe(fx.header.timestamp, this.o.clock.now())
        this.playout?.push(fx.header.seq, fx.header.timestamp, fx.pcm)
        return
      case 'midi': {
        this.showClock?.observe(fx.timestamp, this.o.clock.now())
        const { messages, gap } = this.midiIn.receive(fx.midi)
        if (gap) this.midiDelivery?.releaseAll()
        this.midiDelivery?.deliver(messages)
        if (!this.transport.reliable) this.transport.send(encodeMidiAck(this.midiIn.ackSerial, this.state.sessionId), 'control')
        return
      }
      case 'midiAck':
        this.midiOut.ack(0, fx.next)
        return
      case 'notify':
        if (fx.notice.event === 'handshake') {
          const format = fx.notice.format
          this.o.sink.open(format)
          this.playout = new Playout({
            format, latencyMs: this.o.latencyMs, maxLatencyMs: this.o.maxLatencyMs, sink: this.o.sink, clock: this.o.clock,
            lossy: !this.transport.reliable,
          })
          this.showClock = new ShowClockMap(format.rateHz)
          this.midiDelivery = new MidiDelivery({
            outputs: this.o.midiOutputs ?? [], route: this.o.midiRoute ?? new CompiledRoute(PASS_ALL), clock: this.o.clock,
            showClock: this.showClock, ...(this.o.midiJitterMs !== undefined ? { jitterMs: this.o.midiJitterMs } : {}),
          })
        }
        if (fx.notice.event === 'init') {
          this.playout?.startAt(fx.notice.position)
          this.showClock?.observe(fx.notice.position, this.o.clock.now())
          this.midiOut.addPeer(0, this.transport.reliable)
          const early = this.earlyMidi
          this.earlyMidi = []
          queueMicrotask(() => {
            for (const bytes of early) this.dispatch({ type: 'frame', bytes, ordered: false })
          })
        }
        // Moving transports: nothing held may hang on the move (the server's journal resends what is in flight).
        if (fx.notice.event === 'switch') this.midiDelivery?.releaseAll()
        this.o.onNotice(fx.notice)
        return
      case 'switch':
        void this.switchTo(fx.to, fx.token)
        return
      case 'close':
        void this.transport.close()
        return
      case 'end':
        void this.finish(fx.outcome)
        return
    }
  }

  private async switchTo(to: TransportName, token: string): Promise<void> {
    if (this.switching || this.ended) return
    if (this.transport.kind === to) return
    const connect = this.o.connect
    const failed = (reason: string): void => {
      this.transport.send(encodeControl({ type: MSG.SWITCH_FAILED, body: { transport: to, reason: reason.slice(0, 500) } }, { sessionId: this.state.sessionId }), 'control')
      this.o.onNotice({ event: 'switch-failed', to, reason })
    }
    if (!connect) return failed('this rig cannot open another transport')
    this.switching = true
    let next: Transport | undefined
    try {
      next = await withTimeout(connect(to), SWITCH_TIMEOUT_MS, this.o.clock, `cannot reach the server on ${to} within ${SWITCH_TIMEOUT_MS / 1000} s`)
      if (this.ended) throw new InvalidStateError('SESSION_ENDED', 'the session ended while switching')
      next.setMaxPayload(this.state.maxPayload)
      const early = await resumeOn(next, {
        sessionId: this.state.sessionId, token, name: this.o.config.name, maxPayload: this.state.maxPayload,
        timeoutMs: SWITCH_TIMEOUT_MS, clock: this.o.clock,
      })
      if (this.ended) throw new InvalidStateError('SESSION_ENDED', 'the session ended while switching')
      const old = this.transport
      const from = old.kind
      this.recoveredBefore += (old.stats as UdpExtras).packetsRecovered ?? 0
      this.detachCurrent()
      this.transport = next
      this.use(next)
      this.playout?.setLossy(!next.reliable)
      this.midiOut.movePeer(0, 0, next.reliable)
      for (const bytes of early) this.dispatch({ type: 'frame', bytes, ordered: next.reliable })
      void old.close()
      this.switches++
      this.o.onNotice({ event: 'switched', from, to })
    } catch (err) {
      next?.abort(err as Error)
      if (this.closedWhileSwitching !== undefined) this.dispatch({ type: 'disconnect', reason: this.closedWhileSwitching })
      else if (!this.ended) failed((err as Error).message)
    } finally {
      this.switching = false
      this.closedWhileSwitching = undefined
    }
  }

  private sendReport(): void {
    const p = this.playout?.stats
    if (!p || this.state.phase !== 'streaming') return
    const t = this.transport.stats as UdpExtras
    const body = {
      packetsReceived: p.packetsReceived, packetsLost: p.packetsLost, packetsLate: p.packetsLate,
      packetsRecovered: this.recoveredBefore + (t.packetsRecovered ?? 0), framesConcealed: p.framesConcealed,
      underruns: p.underruns, jitterMs: round(p.jitterMs, 100), bufferMs: round(Math.max(0, p.bufferMs), 10),
      midiReceived: this.midiIn.stats.messagesReceived, midiLost: this.midiIn.stats.lost,
    }
    this.transport.send(encodeControl({ type: MSG.REPORT, body }, { sessionId: this.state.sessionId }), 'control')
  }

  private async finish(outcome: RigOutcome): Promise<void> {
    if (this.ended) return
    this.ended = true
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    if (this.reportTimer !== undefined) this.o.clock.clearTimeout(this.reportTimer)
    this.midiOut.stop()
    // However the session ends, nothing it played may keep sounding.
    this.midiDelivery?.releaseAll()
    if (this.playout) {
      if (outcome.drain) await this.playout.drain(outcome.endPosition)
      else this.playout.stop()
    }
    await this.o.sink.close()
    this.resolveDone(outcome)
  }
}

function round(v: number, per: number): number {
  return Math.round(v * per) / per
}

function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      reject(new Error(message))
      // A connection that arrives after we gave up is closed, not leaked.
      void p.then((t) => (t as { abort?: (e: Error) => void }).abort?.(new Error('switch abandoned')), () => {})
    }, ms)
    p.then(
      (v) => {
        clock.clearTimeout(timer)
        resolve(v)
      },
      (e) => {
        clock.clearTimeout(timer)
        reject(e)
      },
    )
  })
}
