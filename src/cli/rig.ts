// The rig side of `join`: its media (sink, MIDI in and out) opened once for every session,
// the connection to the server, one session's runner, and the events it has to tell.

import { RawSink } from '../audio/raw-sink.js'
import { Playout } from '../audio/playout.js'
import { ThreadedPlayout } from '../audio/threaded-playout.js'
import { onMediaThreadScheduled, setMediaThreadPriority } from '../audio/media-thread-priority.js'
import { LIMITS } from '../codec/limits.js'
import { hostname, platform } from 'node:os'
import { connectTcp } from '../../transports/tcp.js'
import { connectUdp } from '../../transports/udp-connect.js'
import type { Transport } from '../../transports/transport.js'
import type { TransportName } from '../codec/messages.js'
import { systemClock, type Clock } from '../clock.js'
import { SessionSink } from '../audio/session-sink.js'
import type { MidiInput, MidiOutput } from '../midi/endpoint.js'
import { CompiledRoute } from '../midi/route.js'
import { startMidiInputs } from '../midi/outbound.js'
import { RigRunner, type RigRunnerNotice } from '../session/rig-runner.js'
import type { RigEvent } from '../session/events.js'
import type { JoinSettings } from './join-options.js'
import { openMidiInput, openMidiOutput, openSink } from './specs.js'
import { describeRigStats } from './describe-rig.js'
import { VERSION } from './version.js'

/** What a rig keeps across sessions (a rejoin records on into the same sink). */
export interface RigMedia {
  sink: SessionSink
  midiOutputs: MidiOutput[]
  midiInputs: MidiInput[]
  /** What of the show's MIDI this rig plays, and on which channels and controllers. */
  route: CompiledRoute
  /** Stops the MIDI inputs and finishes the sink and outputs. */
  close(): Promise<void>
}

/** Opens the rig's outputs, inputs and sink; `pushMidi` takes what the rig's inputs play. */
export function openRigMedia(
  s: JoinSettings,
  emit: (e: RigEvent) => void,
  pushMidi: (data: Uint8Array) => void,
  problem: (line: string) => void,
): RigMedia {
  // Before any media thread starts: what they ask for, and each one's outcome as an event.
  setMediaThreadPriority(s.realtimePriority)
  const unsubscribe = onMediaThreadScheduled((thread, sc) =>
    emit({
      event: 'priority',
      thread,
      policy: sc.policy,
      priority: sc.priority,
      ...(sc.reason !== undefined ? { reason: sc.reason } : {}),
    }),
  )
  const midiOutputs = s.midiOut.map((spec) => openMidiOutput(spec, systemClock, (e) => emit(e)))
  const midiInputs = s.midiIn.map((spec) => openMidiInput(spec, systemClock))
  // A sound card that fails mid-show: the rig keeps its session and reports the fault.
  const sink = new SessionSink(
    openSink(s.sink, s.deviceBuffer, s.bitExact, {
      onFault: (reason) => emit({ event: 'device-fault', reason }),
      onRestored: (description) => emit({ event: 'device-restored', description }),
      onStarted: (description) => emit({ event: 'device-started', description }),
    }),
  )
  startMidiInputs(midiInputs, pushMidi, { error: (input, err) => problem(`${input.description} failed: ${err.message}`) })
  return {
    sink,
    midiOutputs,
    midiInputs,
    route: new CompiledRoute(s.route),
    close: async () => {
      for (const input of midiInputs) input.stop()
      await Promise.all([sink.finish(), ...midiOutputs.map((o) => o.close())])
      unsubscribe()
    },
  }
}

export function connectTo(s: Pick<JoinSettings, 'host' | 'port'>, kind: TransportName, timeoutMs: number): Promise<Transport> {
  return kind === 'udp' ? connectUdp(s.host, s.port, timeoutMs) : connectTcp(s.host, s.port, timeoutMs)
}

/** A runner's notice as the event `--json` prints, with what its human line names. */
export function rigNoticeEvent(
  n: RigRunnerNotice,
  s: JoinSettings,
  media: RigMedia,
  transportNow: () => string,
  latencyNow: () => number = () => s.latency ?? LIMITS.latencyMs.default,
): RigEvent {
  switch (n.event) {
    case 'handshake':
      return {
        event: 'handshake',
        server: n.serverName,
        rate: n.format.rateHz,
        channels: n.format.channels,
        format: n.format.format,
        frames: n.format.framesPerPacket,
        sessionId: n.sessionId,
        host: s.host,
        port: s.port,
        name: rigName(s),
        sink: media.sink.description,
      }
    case 'init':
      return { ...n, latencyMs: latencyNow() }
    case 'switch-failed':
      return { ...n, transport: transportNow() }
    default:
      return n
  }
}

export function rigName(s: Pick<JoinSettings, 'name'>): string {
  return s.name ?? hostname()
}

/** One session with the server over `transport`; SWITCH connects anew through `connectTo`. */
export function startSession(s: JoinSettings, media: RigMedia, transport: Transport, emit: (e: RigEvent) => void): RigRunner {
  const rig: RigRunner = new RigRunner({
    config: { name: rigName(s), meta: { host: hostname(), platform: platform(), synchro: VERSION, sink: media.sink.description } },
    transport,
    sink: media.sink,
    latencyMs: s.latency,
    offsetMs: s.offset,
    adaptive: s.adaptive,
    maxLatencyMs: s.maxLatency,
    makePlayout: (o) => {
      // A pipe plays on its own thread, written when due (src/audio/playout-worker.ts); a card or a recording in this one.
      const sink = media.sink instanceof SessionSink ? media.sink.inner : media.sink
      if (sink instanceof RawSink && sink.realtime && sink.fd !== undefined) {
        const { sink: _sink, clock: _clock, ...rest } = o
        return new ThreadedPlayout({ ...rest, fd: sink.fd })
      }
      return new Playout(o)
    },
    clock: systemClock,
    onNotice: (n) =>
      emit(
        rigNoticeEvent(
          n,
          s,
          media,
          () => rig.stats().transport,
          () => rig.syncStats().latencyMs,
        ),
      ),
    midiOutputs: media.midiOutputs,
    midiRoute: media.route,
    midiTiming: s.midiTiming,
    connect: (kind) => connectTo(s, kind, 1000),
  })
  return rig
}

/** Stats every second while streaming (for --json); a human line every fifth. Returns a function that stops. */
/** A stats event a second while streaming (the operator's line every fifth): what `--json` scripts poll. */
const STATS_EVERY_MS = 1000

export function startRigStats(
  current: () => RigRunner | undefined,
  out: (e: RigEvent, line: string | null) => void,
  clock: Clock = systemClock,
): () => void {
  let count = 0
  let timer: unknown
  const tick = (): void => {
    timer = clock.setTimeout(tick, STATS_EVERY_MS)
    const rig = current()
    if (rig?.phase !== 'streaming') return
    const stats = rig.stats()
    count++
    out({ event: 'stats', ...stats }, count % 5 === 0 ? describeRigStats(stats) : null)
  }
  timer = clock.setTimeout(tick, STATS_EVERY_MS)
  return () => clock.clearTimeout(timer)
}
