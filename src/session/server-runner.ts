// Carries out the server machine's effects: frames to transports, notices to the
// operator, the source started and stopped. Transports are attached from outside
// (the CLI's TCP listener, or memory pairs in tests), so this file knows no sockets.

import { randomBytes } from 'node:crypto'
import { bytesPerFrame } from '../codec/format.js'
import { AudioPacketizer, DEFAULT_MTU, maxDatagramBytes } from '../codec/datagrams.js'
import type { TransportName } from '../codec/messages.js'
import type { AudioSource } from '../audio/source.js'
import type { Transport, TransportStats } from '../../transports/transport.js'
import type { Clock } from '../clock.js'
import type { SynchroError } from '../errors.js'
import { tickIntervalMs } from './keepalive.js'
import { encodeMidiAck } from '../codec/midi.js'
import type { MidiInput, MidiOutput } from '../midi/endpoint.js'
import { MidiDelivery } from '../midi/delivery.js'
import { MidiOutbound } from '../midi/outbound.js'
import { MidiReceiver } from '../midi/receiver.js'
import { PASS_ALL, CompiledRoute } from '../midi/route.js'
import { panicMessages } from '../midi/note-state.js'
import { LevelMeter } from '../audio/levels.js'
import type { RigReport, ServerMidiStats, ServerStats, ServerSummary } from './stats.js'
import {
  initialServerState, stepServer, type PeerId, type ServerConfig, type ServerEffect, type ServerEvent,
  type RigEntry, type ServerNotice, type ServerState,
} from './server-machine.js'

type Carried = Pick<RigReport, 'framesSent' | 'bytesSent' | 'framesDropped' | 'retransmits'>

export interface ServerRunnerOptions {
  config: ServerConfig
  source: AudioSource
  clock: Clock
  onNotice: (notice: ServerNotice) => void
  /** Called once the show has closed every rig. */
  onStopped?: () => void
  /** How audio goes out on UDP (MTU, redundancy); default: 1500-byte MTU, no redundancy. */
  packetizer?: AudioPacketizer
  /** MIDI into the show (to every rig) and out of it (what rigs send back). */
  midiInputs?: readonly MidiInput[]
  midiOutputs?: readonly MidiOutput[]
  /** Every finite MIDI input has ended (a MIDI-only show ends here). */
  onMidiInputsEnded?: () => void
  onMidiInputError?: (input: MidiInput, err: Error) => void
}

interface RigMidi {
  receiver: MidiReceiver
  delivery: MidiDelivery
}

const NOTHING_CARRIED: Carried = { framesSent: 0, bytesSent: 0, framesDropped: 0, retransmits: 0 }

export class ServerRunner {
  private state: ServerState
  private readonly transports = new Map<PeerId, Transport>()
  private readonly detach = new Map<PeerId, () => void>()
  /** Counters of connections a rig has moved away from, so its figures survive a switch. */
  private readonly carried = new Map<PeerId, Carried>()
  private readonly packetizer: AudioPacketizer
  /** Muted rigs' silent copies get their own packetizer, so redundancy bundles never mix the two streams. */
  private readonly silentPacketizer: AudioPacketizer
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
  private readonly midiOut: MidiOutbound
  private readonly meter: LevelMeter
  private readonly midiFrom = new Map<PeerId, RigMidi>()
  private readonly midiOutputs: readonly MidiOutput[]
  private midiOutCount = 0
  private midiReleased = 0
  /** When and where INIT put the show, for stamping MIDI with the show position. */
  private initAt: { ms: number; position: number } | undefined
  private resolveDone!: (s: ServerSummary) => void
  /** Resolves once the show is over and every rig has been closed. */
  readonly done: Promise<ServerSummary>

  constructor(private readonly o: ServerRunnerOptions) {
    this.state = initialServerState(o.config)
    this.packetizer = o.packetizer ?? new AudioPacketizer(o.config.format, maxDatagramBytes(DEFAULT_MTU), 0)
    this.silentPacketizer = this.packetizer.twin()
    this.startedMs = o.clock.now()
    this.done = new Promise((r) => (this.resolveDone = r))
    this.midiOutputs = o.midiOutputs ?? []
    this.meter = new LevelMeter(o.config.format, o.clock)
    this.midiOut = new MidiOutbound({
      inputs: o.midiInputs ?? [],
      clock: o.clock,
      sessionId: () => o.config.sessionId,
      positionNow: () => this.positionNow(),
      send: (m) => {
        for (const peer of m.peers) {
          const t = this.transports.get(peer)
          if (t) for (const f of m.frames) t.send(f, 'control')
        }
      },
      onInputsEnded: () => o.onMidiInputsEnded?.(),
      onInputError: (input, err) => o.onMidiInputError?.(input, err),
    })
  }

  /** The show position now on the server's clock (sample frames since INIT), undefined before INIT. */
  private positionNow(): number | undefined {
    if (!this.initAt) return undefined
    return (this.initAt.position + Math.round(((this.o.clock.now() - this.initAt.ms) * this.o.config.format.rateHz) / 1000)) >>> 0
  }

  /** The operator's MIDI panic: all notes and sustain off on every channel, on every rig and every server output. */
  midiPanic(): void {
    for (const data of panicMessages()) this.midiOut.push(data)
    for (const m of this.midiFrom.values()) m.delivery.releaseAll()
    if (this.midiOutputs.length > 0) {
      const d = new MidiDelivery({ outputs: this.midiOutputs, route: new CompiledRoute(PASS_ALL), clock: this.o.clock })
      d.sendNow(panicMessages())
      this.midiOutCount += d.messagesOut
    }
  }

  midiStats(): ServerMidiStats {
    let out = this.midiOutCount
    let released = this.midiReleased
    for (const m of this.midiFrom.values()) {
      out += m.delivery.messagesOut
      released += m.delivery.released
    }
    return { messagesIn: this.midiOut.messagesIn, messagesOut: out, invalidBytes: this.midiOut.invalidBytes, expired: this.midiOut.journal.expired, released }
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
    const onFrame = (bytes: Uint8Array): void => this.dispatch({ type: 'frame', peer, bytes })
    const onBad = (error: SynchroError): void => this.dispatch({ type: 'badFrame', peer, error })
    const onClose = (err?: Error): void => {
      this.recordDeparture(peer, this.state)
      this.forget(peer)
      this.dispatch({ type: 'disconnect', peer, reason: err ? err.message : 'connection closed' })
    }
    transport.on('frame', onFrame)
    transport.on('badFrame', onBad)
    transport.once('close', onClose)
    this.detach.set(peer, () => {
      transport.off('frame', onFrame)
      transport.off('badFrame', onBad)
      transport.off('close', onClose)
    })
    this.dispatch({ type: 'connect', peer, remote: transport.remote, link: transport.kind, token: randomBytes(12).toString('hex') })
  }

  /** Drops a rig from the show (the operator's `kick`); false if no rig has that name. */
  kick(name: string): boolean {
    const known = this.hasRig(name)
    this.dispatch({ type: 'kick', name })
    return known
  }

  /** Sends a rig silence in place of the show's audio, or the audio again; false if no rig has that name. */
  mute(name: string, muted: boolean): boolean {
    const known = this.hasRig(name)
    this.dispatch({ type: 'mute', name, muted })
    return known
  }

  private hasRig(name: string): boolean {
    for (const r of this.state.rigs.values()) if (r.name === name && r.phase !== 'handshake') return true
    return false
  }

  /** Moves every rig to `to` (the operator's `switch`). */
  switchTo(to: TransportName): void {
    this.dispatch({ type: 'switch', to })
  }

  get mode(): TransportName {
    return this.state.mode
  }

  init(): void {
    this.dispatch({ type: 'init' })
  }

  terminate(reason: string, code = 'operator'): void {
    this.midiOut.flushNow() // MIDI already in the show goes out before TERMINATE
    this.dispatch({ type: 'terminate', reason, code })
  }

  stats(): ServerStats {
    return {
      phase: this.state.phase,
      uptimeMs: Math.round(this.o.clock.now() - this.startedMs),
      position: this.state.position,
      packetsBroadcast: this.packetsBroadcast,
      levels: this.meter.read(),
      midi: this.midiStats(),
      rigs: [...this.state.rigs.values()].map((r) => this.report(r)),
    }
  }

  private report(rig: RigEntry | undefined): RigReport {
    const t = rig && (this.transports.get(rig.peer)?.stats as (TransportStats & { retransmits?: number }) | undefined)
    const c = (rig && this.carried.get(rig.peer)) ?? NOTHING_CARRIED
    return {
      name: rig?.name ?? rig?.remote ?? '?',
      remote: rig?.remote ?? '?',
      phase: rig?.phase ?? 'left',
      transport: rig?.link ?? '?',
      switchingTo: rig?.switching?.to ?? null,
      rttMs: rig?.rttMs === undefined ? null : Math.round(rig.rttMs * 100) / 100,
      framesSent: c.framesSent + (t?.framesSent ?? 0),
      bytesSent: c.bytesSent + (t?.bytesSent ?? 0),
      framesDropped: c.framesDropped + (t?.framesDropped ?? 0),
      queuedBytes: t?.queuedBytes ?? 0,
      retransmits: c.retransmits + (t?.retransmits ?? 0),
      heard: rig?.report ?? null,
      muted: rig?.muted ?? false,
      silentMs: rig ? Math.max(0, Math.round(this.o.clock.now() - rig.lastHeardMs)) : 0,
      midiIn: (rig && this.midiFrom.get(rig.peer)?.receiver.stats.messagesReceived) ?? 0,
    }
  }

  private forget(peer: PeerId): void {
    this.transports.delete(peer)
    this.detach.delete(peer)
    this.carried.delete(peer)
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
        // One encoding per transport kind, the same bytes to every rig: TCP gets the frame,
        // UDP the datagrams the packetizer made of it (segments or a redundant BUNDLE).
        const packetizer = fx.silent ? this.silentPacketizer : this.packetizer
        let datagrams: readonly Uint8Array[] | undefined
        for (const peer of fx.peers) {
          const t = this.transports.get(peer)
          if (t === undefined) continue
          if (t.kind !== 'udp') {
            t.send(fx.frame, 'media')
            continue
          }
          datagrams ??= packetizer.datagrams(fx.frame)
          for (const d of datagrams) t.send(d, 'media')
        }
        if (datagrams === undefined) packetizer.skip(fx.frame)
        if (!fx.silent) this.packetsBroadcast++
        return
      }
      case 'close': {
        const t = this.transports.get(fx.peer)
        if (!t) return
        this.recordDeparture(fx.peer, before)
        this.forget(fx.peer)
        this.retire(t)
        return
      }
      case 'rebind': {
        const old = this.transports.get(fx.from)
        if (!old) return
        this.detach.get(fx.from)?.()
        const s = old.stats as TransportStats & { retransmits?: number }
        const c = this.carried.get(fx.from) ?? NOTHING_CARRIED
        this.carried.set(fx.to, {
          framesSent: c.framesSent + s.framesSent,
          bytesSent: c.bytesSent + s.bytesSent,
          framesDropped: c.framesDropped + s.framesDropped,
          retransmits: c.retransmits + (s.retransmits ?? 0),
        })
        this.forget(fx.from)
        this.retire(old)
        this.midiOut.movePeer(fx.from, fx.to, this.transports.get(fx.to)?.reliable ?? true)
        const m = this.midiFrom.get(fx.from)
        if (m) {
          this.midiFrom.delete(fx.from)
          this.midiFrom.set(fx.to, m)
        }
        return
      }
      case 'rigStreaming':
        this.midiOut.addPeer(fx.peer, this.transports.get(fx.peer)?.reliable ?? true)
        return
      case 'rigGone': {
        this.midiOut.journal.removePeer(fx.peer)
        const m = this.midiFrom.get(fx.peer)
        if (m) {
          m.delivery.releaseAll()
          this.midiOutCount += m.delivery.messagesOut
          this.midiReleased += m.delivery.released
          this.midiFrom.delete(fx.peer)
        }
        return
      }
      case 'midiIn': {
        const m = this.rigMidi(fx.peer)
        const { messages, gap } = m.receiver.receive(fx.midi)
        if (gap) m.delivery.releaseAll()
        m.delivery.deliver(messages)
        const t = this.transports.get(fx.peer)
        if (t && !t.reliable) t.send(encodeMidiAck(m.receiver.ackSerial, this.o.config.sessionId), 'control')
        return
      }
      case 'midiAck':
        this.midiOut.ack(fx.peer, fx.next)
        return
      case 'notify':
        if (fx.notice.event === 'joined') this.rigsJoined++
        if (fx.notice.event === 'terminate') this.endReason = { reason: fx.notice.reason, code: fx.notice.code }
        this.o.onNotice(fx.notice)
        return
      case 'startStream':
        this.initAt = { ms: this.o.clock.now(), position: this.state.position }
        this.startSource()
        this.midiOut.start()
        return
      case 'stopped':
        void this.shutdown()
        return
    }
  }

  /** Closes a connection the show no longer uses; shutdown waits for it to flush. */
  private retire(t: Transport): void {
    const p = t.close().finally(() => this.closing.delete(p))
    this.closing.add(p)
  }

  private startSource(): void {
    if (this.streamStarted) return
    this.streamStarted = true
    const frameBytes = bytesPerFrame(this.o.config.format)
    this.o.source.start(this.o.config.format, {
      packet: (pcm) => {
        this.framesBroadcast += pcm.byteLength / frameBytes
        this.meter.feed(pcm)
        this.dispatch({ type: 'audio', pcm })
      },
      end: (err) => this.terminate(err ? `source failed: ${err.message}` : 'end of source', err ? 'source-error' : 'end-of-source'),
    })
  }

  private rigMidi(peer: PeerId): RigMidi {
    let m = this.midiFrom.get(peer)
    if (!m) {
      m = { receiver: new MidiReceiver(), delivery: new MidiDelivery({ outputs: this.midiOutputs, route: new CompiledRoute(PASS_ALL), clock: this.o.clock }) }
      this.midiFrom.set(peer, m)
    }
    return m
  }

  private async shutdown(): Promise<void> {
    this.o.source.stop()
    this.midiOut.stop()
    for (const m of this.midiFrom.values()) m.delivery.releaseAll()
    const midi = this.midiStats()
    await Promise.all(this.midiOutputs.map((o) => o.close()))
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    await Promise.all([...this.closing])
    this.o.onStopped?.()
    this.resolveDone({
      ...this.endReason,
      durationMs: Math.round(this.o.clock.now() - this.startedMs),
      packetsBroadcast: this.packetsBroadcast,
      framesBroadcast: this.framesBroadcast,
      rigsJoined: this.rigsJoined,
      midi,
      rigs: this.departed,
    })
  }
}
