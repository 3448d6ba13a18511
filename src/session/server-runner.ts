// Carries out the server machine's effects: frames to transports, notices to the
// operator, the source started and stopped. Transports are attached from outside
// (the CLI's TCP listener, or memory pairs in tests), so this file knows no sockets.

import { bytesPerFrame } from '../codec/format.js'
import type { AudioSource } from '../audio/source.js'
import type { Transport, TransportStats } from '../../transports/transport.js'
import type { Clock } from './clock.js'
import { tickIntervalMs } from './keepalive.js'
import {
  initialServerState, stepServer, type PeerId, type ServerConfig, type ServerEffect, type ServerEvent,
  type RigEntry, type ServerNotice, type ServerState,
} from './server-machine.js'

export interface RigReport {
  name: string
  remote: string
  phase: string
  rttMs: number | null
  framesSent: number
  bytesSent: number
  framesDropped: number
  queuedBytes: number
}

export interface ServerStats {
  phase: string
  uptimeMs: number
  position: number
  packetsBroadcast: number
  rigs: RigReport[]
}

export interface ServerSummary {
  reason: string
  code: string
  durationMs: number
  packetsBroadcast: number
  framesBroadcast: number
  rigsJoined: number
  rigs: RigReport[]
}

export interface ServerRunnerOptions {
  config: ServerConfig
  source: AudioSource
  clock: Clock
  onNotice: (notice: ServerNotice) => void
  /** Called once the show has closed every rig. */
  onStopped?: () => void
}

export class ServerRunner {
  private state: ServerState
  private readonly transports = new Map<PeerId, Transport>()
  private readonly closing = new Set<Promise<void>>()
  private readonly departed: RigReport[] = []
  private nextPeer = 1
  private tickTimer: unknown
  private readonly startedMs: number
  private packetsBroadcast = 0
  private framesBroadcast = 0
  private rigsJoined = 0
  private streamStarted = false
  private endReason = { reason: '', code: '' }
  private resolveDone!: (s: ServerSummary) => void
  /** Resolves once the show is over and every rig has been closed. */
  readonly done: Promise<ServerSummary>

  constructor(private readonly o: ServerRunnerOptions) {
    this.state = initialServerState(o.config)
    this.startedMs = o.clock.now()
    this.done = new Promise((r) => (this.resolveDone = r))
  }

  /** The listener is up: start waiting for rigs and keeping them alive. */
  listening(): void {
    this.dispatch({ type: 'listening' })
    const every = tickIntervalMs(this.o.config.pingIntervalMs)
    const tick = (): void => {
      this.dispatch({ type: 'tick' })
      if (this.state.phase !== 'closed') this.tickTimer = this.o.clock.setTimeout(tick, every)
    }
    this.tickTimer = this.o.clock.setTimeout(tick, every)
  }

  /** A new connection from a rig. */
  attach(transport: Transport): void {
    const peer = this.nextPeer++
    this.transports.set(peer, transport)
    transport.on('frame', (bytes) => this.dispatch({ type: 'frame', peer, bytes }))
    transport.on('badFrame', (error) => this.dispatch({ type: 'badFrame', peer, error }))
    transport.once('close', (err) => {
      this.recordDeparture(peer, this.state)
      this.transports.delete(peer)
      this.dispatch({ type: 'disconnect', peer, reason: err ? err.message : 'connection closed' })
    })
    this.dispatch({ type: 'connect', peer, remote: transport.remote })
  }

  init(): void {
    this.dispatch({ type: 'init' })
  }

  terminate(reason: string, code = 'operator'): void {
    this.dispatch({ type: 'terminate', reason, code })
  }

  stats(): ServerStats {
    return {
      phase: this.state.phase,
      uptimeMs: Math.round(this.o.clock.now() - this.startedMs),
      position: this.state.position,
      packetsBroadcast: this.packetsBroadcast,
      rigs: [...this.state.rigs.values()].map((r) => this.report(r)),
    }
  }

  private report(rig: RigEntry | undefined): RigReport {
    const t: TransportStats | undefined = rig && this.transports.get(rig.peer)?.stats
    return {
      name: rig?.name ?? rig?.remote ?? '?',
      remote: rig?.remote ?? '?',
      phase: rig?.phase ?? 'left',
      rttMs: rig?.rttMs === undefined ? null : Math.round(rig.rttMs * 100) / 100,
      framesSent: t?.framesSent ?? 0,
      bytesSent: t?.bytesSent ?? 0,
      framesDropped: t?.framesDropped ?? 0,
      queuedBytes: t?.queuedBytes ?? 0,
    }
  }

  /** Keeps a leaving rig's final figures for the summary; the machine has already forgotten it. */
  private recordDeparture(peer: PeerId, before: ServerState): void {
    const rig = this.state.rigs.get(peer) ?? before.rigs.get(peer)
    if (rig && rig.phase !== 'handshake') this.departed.push({ ...this.report(rig), phase: 'left' })
  }

  private dispatch(event: ServerEvent): void {
    const before = this.state
    const { state, effects } = stepServer(before, event, this.o.clock.now())
    this.state = state
    for (const fx of effects) this.perform(fx, before)
  }

  private perform(fx: ServerEffect, before: ServerState): void {
    switch (fx.kind) {
      case 'send':
        this.transports.get(fx.peer)?.send(fx.frame, 'control')
        return
      case 'broadcast': {
        // One encoded frame, the same bytes to every rig.
        for (const peer of fx.peers) this.transports.get(peer)?.send(fx.frame, 'media')
        this.packetsBroadcast++
        return
      }
      case 'close': {
        const t = this.transports.get(fx.peer)
        if (!t) return
        this.recordDeparture(fx.peer, before)
        this.transports.delete(fx.peer)
        const p = t.close().finally(() => this.closing.delete(p))
        this.closing.add(p)
        return
      }
      case 'notify':
        if (fx.notice.event === 'joined') this.rigsJoined++
        if (fx.notice.event === 'terminate') this.endReason = { reason: fx.notice.reason, code: fx.notice.code }
        this.o.onNotice(fx.notice)
        return
      case 'startStream':
        this.startSource()
        return
      case 'stopped':
        void this.shutdown()
        return
    }
  }

  private startSource(): void {
    if (this.streamStarted) return
    this.streamStarted = true
    const frameBytes = bytesPerFrame(this.o.config.format)
    this.o.source.start(this.o.config.format, {
      packet: (pcm) => {
        this.framesBroadcast += pcm.byteLength / frameBytes
        this.dispatch({ type: 'audio', pcm })
      },
      end: (err) => this.terminate(err ? `source failed: ${err.message}` : 'end of source', err ? 'source-error' : 'end-of-source'),
    })
  }

  private async shutdown(): Promise<void> {
    this.o.source.stop()
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    await Promise.all([...this.closing])
    this.o.onStopped?.()
    this.resolveDone({
      ...this.endReason,
      durationMs: Math.round(this.o.clock.now() - this.startedMs),
      packetsBroadcast: this.packetsBroadcast,
      framesBroadcast: this.framesBroadcast,
      rigsJoined: this.rigsJoined,
      rigs: this.departed,
    })
  }
}
