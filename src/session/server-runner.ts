// Carries out the server machine's effects: a dispatcher that steps the machine and hands
// each effect to the part whose job it is (peer-registry.ts: connections; broadcast.ts: the
// audio fan-out; ../midi/midi-hub.ts: MIDI both ways; server-switch.ts: a session moving
// connection; source-lifecycle.ts: the audio source; server-stats.ts: the figures).
// Transports are attached from outside (the CLI's listeners, or memory pairs in tests), so
// this file knows no sockets.

import { randomBytes } from 'node:crypto'
import { AudioPacketizer, DEFAULT_MTU, maxDatagramBytes } from '../codec/datagrams.js'
import type { TransportName } from '../codec/messages.js'
import type { AudioSource } from '../audio/source.js'
import type { Transport } from '../../transports/transport.js'
import type { Clock } from '../clock.js'
import { tickIntervalMs } from './keepalive.js'
import type { MidiInput, MidiOutput } from '../midi/endpoint.js'
import { MidiHub } from '../midi/midi-hub.js'
import { LevelMeter } from '../audio/levels.js'
import { Broadcaster } from './broadcast.js'
import { PeerRegistry } from './peer-registry.js'
import { rebindSession } from './server-switch.js'
import { serverMidiStats, ServerTally } from './server-stats.js'
import { ShowPosition } from './show-position.js'
import { serverMsOf, ShowTimeline } from '../sync/show-timeline.js'
import { showLatencyOf } from './sync-view.js'
import { SourceLifecycle } from './source-lifecycle.js'
import type { ServerMidiStats, ServerStats, ServerSummary } from './stats.js'
import {
  initialServerState,
  rigNamed,
  stepServer,
  type ServerConfig,
  type ServerEffect,
  type ServerEvent,
  type ServerNotice,
  type ServerState,
} from './server-machine.js'

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
  /** `--duration`: the show ends after this many seconds of the source's audio. */
  durationS?: number
}

export class ServerRunner {
  private state: ServerState
  private readonly peers = new PeerRegistry()
  private readonly broadcaster: Broadcaster
  private readonly midi: MidiHub
  private readonly source: SourceLifecycle
  private readonly position: ShowPosition
  /** Where each show position sits on this server's clock: sent to rigs in INIT and TIMELINE. */
  private readonly timeline: ShowTimeline
  /** The show position (unwrapped frames) the source started at. */
  private startPosition = 0
  private readonly tally: ServerTally
  private readonly meter: LevelMeter
  private tickTimer: unknown
  private resolveDone!: (s: ServerSummary) => void
  /** Resolves once the show is over and every rig has been closed. */
  readonly done: Promise<ServerSummary>

  constructor(private readonly o: ServerRunnerOptions) {
    this.state = initialServerState(o.config)
    this.done = new Promise((r) => (this.resolveDone = r))
    const packetizer = o.packetizer ?? new AudioPacketizer(o.config.format, maxDatagramBytes(DEFAULT_MTU), 0)
    this.broadcaster = new Broadcaster(packetizer, (peer) => this.peers.get(peer))
    this.meter = new LevelMeter(o.config.format, o.clock)
    this.timeline = new ShowTimeline(o.config.format.rateHz)
    // The server's MIDI is stamped off the timeline once there is one: a note and the audio captured with it carry one position.
    this.position = new ShowPosition(
      o.clock,
      o.config.format.rateHz,
      (p) => {
        const t = this.timeline.current
        return t ? serverMsOf(t, p, o.config.format.rateHz) : undefined
      },
      () => this.timeline.typicalLagMs,
    )
    this.midi = new MidiHub({
      clock: o.clock,
      sessionId: () => o.config.sessionId,
      positionNow: () => this.position.now(),
      send: (peer, frame) => this.peers.get(peer)?.send(frame, 'control'),
      reliable: (peer) => this.peers.get(peer)?.reliable,
      inputs: o.midiInputs ?? [],
      outputs: o.midiOutputs ?? [],
      onInputsEnded: () => o.onMidiInputsEnded?.(),
      onInputError: (input, err) => o.onMidiInputError?.(input, err),
    })
    this.tally = new ServerTally({
      clock: o.clock,
      counters: (rig) => this.peers.counters(rig.peer),
      midiIn: (rig) => this.midi.receivedFrom(rig.peer),
      showLatencyMs: showLatencyOf(o.config.showLatencyMs),
    })
    this.source = new SourceLifecycle({
      source: o.source,
      format: o.config.format,
      onPacket: (pcm, frames) => {
        // The packet is ready now: its first frame's place on the server's clock (src/sync/show-timeline.ts).
        const moved = this.timeline.observe(this.startPosition + this.source.framesRead - frames, this.o.clock.now())
        // Before the audio it times, so a rig has the new timeline when the packet arrives.
        if (moved) this.dispatch({ type: 'timeline', timeline: moved })
        this.meter.feed(pcm)
        this.dispatch({ type: 'audio', pcm })
      },
      onEnd: (reason, code) => this.terminate(reason, code),
      ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
    })
  }

  /** The operator's MIDI panic: all notes and sustain off on every channel, on every rig and every server output. */
  midiPanic(): void {
    this.midi.panic()
  }

  midiStats(): ServerMidiStats {
    return serverMidiStats(this.midi.stats())
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
    const peer = this.peers.add(transport, (peer) => ({
      frame: (bytes) => this.dispatch({ type: 'frame', peer, bytes }),
      badFrame: (error) => this.dispatch({ type: 'badFrame', peer, error }),
      close: (err) => {
        this.tally.depart(this.state.rigs.get(peer))
        this.peers.forget(peer)
        this.dispatch({ type: 'disconnect', peer, reason: err ? err.message : 'connection closed' })
      },
    }))
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
    return rigNamed(this.state, name) !== undefined
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
    this.midi.flushNow() // MIDI already in the show goes out before TERMINATE
    this.dispatch({ type: 'terminate', reason, code })
  }

  stats(): ServerStats {
    return this.tally.stats(this.state, {
      packetsBroadcast: this.broadcaster.packetsBroadcast,
      levels: this.meter.read(),
      midi: this.midiStats(),
      timeline: {
        sourceDriftPpm: this.timeline.sourceDriftPpm,
        steps: this.timeline.steps,
        readLagMs: this.timeline.typicalLagMs,
      },
    })
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
        this.peers.get(fx.peer)?.send(fx.frame, 'control')
        return
      case 'sendAll':
        for (const peer of fx.peers) this.peers.get(peer)?.send(fx.frame, 'control')
        return
      case 'broadcast':
        this.broadcaster.send(fx.peers, fx.frame, fx.silent === true)
        return
      case 'close':
        if (!this.peers.get(fx.peer)) return
        // The machine has already forgotten the rig: its final figures come from the state before.
        this.tally.depart(this.state.rigs.get(fx.peer) ?? before.rigs.get(fx.peer))
        this.peers.retire(fx.peer)
        return
      case 'rebind':
        rebindSession(this.peers, this.midi, fx.from, fx.to)
        return
      case 'rigStreaming':
        this.midi.addPeer(fx.peer)
        return
      case 'rigGone':
        this.midi.removePeer(fx.peer)
        return
      case 'midiIn':
        this.midi.receive(fx.peer, fx.midi)
        return
      case 'midiAck':
        this.midi.ack(fx.peer, fx.next)
        return
      case 'notify':
        this.tally.noticed(fx.notice)
        this.o.onNotice(fx.notice)
        return
      case 'startStream':
        this.startPosition = this.state.position
        this.position.start(this.state.position)
        this.source.start()
        this.midi.start()
        return
      case 'stopped':
        void this.shutdown()
        return
    }
  }

  private async shutdown(): Promise<void> {
    this.source.stop()
    this.midi.stop()
    const midi = this.midiStats()
    await this.midi.closeOutputs()
    if (this.tickTimer !== undefined) this.o.clock.clearTimeout(this.tickTimer)
    await this.peers.settled()
    this.o.onStopped?.()
    this.resolveDone(
      this.tally.summary({
        packetsBroadcast: this.broadcaster.packetsBroadcast,
        framesBroadcast: this.source.framesRead,
        midi,
      }),
    )
  }
}
