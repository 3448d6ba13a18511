// Carries out the rig machine's effects: frames to the transport, audio into the
// playout, notices to the operator. The transport is handed in already connected.

import type { AudioSink } from '../audio/sink.js'
import { emptyPlayoutStats, Playout, type PlayoutStats } from '../audio/playout.js'
import type { Transport } from '../../transports/transport.js'
import type { Clock } from './clock.js'
import { DEFAULT_PING_INTERVAL_MS, tickIntervalMs } from './keepalive.js'
import {
  initialRigState, stepRig, type RigConfig, type RigEffect, type RigEvent, type RigNotice, type RigOutcome, type RigState,
} from './rig-machine.js'

export interface RigStats extends PlayoutStats {
  phase: string
  rttMs: number | null
}

export interface RigRunnerOptions {
  config: RigConfig
  transport: Transport
  sink: AudioSink
  latencyMs: number
  clock: Clock
  onNotice: (notice: RigNotice) => void
}

const NO_AUDIO: PlayoutStats = emptyPlayoutStats()

export class RigRunner {
  private state: RigState
  private playout: Playout | undefined
  private tickTimer: unknown
  private resolveDone!: (o: RigOutcome) => void
  private ended = false
  /** Resolves when the session has ended and the sink is flushed. */
  readonly done: Promise<RigOutcome>

  constructor(private readonly o: RigRunnerOptions) {
    this.state = initialRigState(o.config, DEFAULT_PING_INTERVAL_MS)
    this.done = new Promise((r) => (this.resolveDone = r))
    const t = o.transport
    t.on('frame', (bytes) => this.dispatch({ type: 'frame', bytes }))
    t.on('badFrame', (error) => this.dispatch({ type: 'badFrame', error }))
    t.once('close', (err) => this.dispatch({ type: 'disconnect', reason: err ? err.message : 'the connection closed without TERMINATE' }))
    this.dispatch({ type: 'connected' })
    const every = tickIntervalMs(DEFAULT_PING_INTERVAL_MS)
    const tick = (): void => {
      this.dispatch({ type: 'tick' })
      if (!this.ended) this.tickTimer = o.clock.setTimeout(tick, every)
    }
    this.tickTimer = o.clock.setTimeout(tick, every)
  }

  get phase(): string {
    return this.state.phase
  }

  /** The rig's own operator stops it: tell the server, flush the sink. */
  stop(reason: string): void {
    this.dispatch({ type: 'stop', reason })
  }

  stats(): RigStats {
    const p = this.playout?.stats ?? NO_AUDIO
    return { ...p, bufferMs: Math.round(p.bufferMs * 10) / 10, jitterMs: Math.round(p.jitterMs * 100) / 100, phase: this.state.phase, rttMs: this.state.rttMs === undefined ? null : Math.round(this.state.rttMs * 100) / 100 }
  }

  private dispatch(event: RigEvent): void {
    const { state, effects } = stepRig(this.state, event, this.o.clock.now())
    this.state = state
    for (const fx of effects) this.perform(fx)
  }

  private perform(fx: RigEffect): void {
    switch (fx.kind) {
      case 'send':
        this.o.transport.send(fx.frame, 'control')
        return
      case 'setMaxPayload':
        this.o.transport.setMaxPayload(fx.bytes)
        return
      case 'audio':
        this.playout?.push(fx.header.seq, fx.header.timestamp, fx.pcm)
        return
      case 'notify':
        if (fx.notice.event === 'handshake') {
          const format = fx.notice.format
          this.o.sink.open(format)
          this.playout = new Playout({ format, latencyMs: this.o.latencyMs, sink: this.o.sink, clock: this.o.clock })
        }
        this.o.onNotice(fx.notice)
        return
      case 'close':
        void this.o.transport.close()
        return
      case 'end':
        void this.finish(fx.outcome)
        return
    }
  }

  private async finish(outcome: RigOutcome): Promise<void> {
    if (this.ended) return
    this.ended = true
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    if (this.playout) {
      if (outcome.drain) await this.playout.drain()
      else this.playout.stop()
    }
    await this.o.sink.close()
    this.resolveDone(outcome)
  }
}
