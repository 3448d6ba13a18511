// The server's figures: each rig's report (from the machine's entry, the registry's counters
// and the MIDI hub), the show's stats for the console and the control socket, and the
// end-of-show summary, which keeps every departed rig's final report.

import type { Clock } from '../clock.js'
import type { Levels } from '../audio/levels.js'
import type { MidiHubStats } from '../midi/midi-hub.js'
import type { PeerCounters } from './peer-registry.js'
import type { RigEntry, ServerNotice, ServerState } from './server-machine.js'
import type { RigReport, ServerMidiStats, ServerStats, ServerSummary, TimelineStats } from './stats.js'
import { syncView } from './sync-view.js'

/** One rig as the operator sees it; `showLatencyMs`: the show's, which its sync is measured against. */
export function rigReport(rig: RigEntry, counters: PeerCounters, midiIn: number, nowMs: number, showLatencyMs: number): RigReport {
  return {
    name: rig.name ?? rig.remote,
    remote: rig.remote,
    phase: rig.phase,
    transport: rig.link,
    switchingTo: rig.switching?.to ?? null,
    rttMs: rig.rttMs === undefined ? null : Math.round(rig.rttMs * 100) / 100,
    framesSent: counters.framesSent,
    bytesSent: counters.bytesSent,
    framesDropped: counters.framesDropped,
    queuedBytes: counters.queuedBytes,
    retransmits: counters.retransmits,
    heard: rig.report ?? null,
    muted: rig.muted,
    silentMs: Math.max(0, Math.round(nowMs - rig.lastHeardMs)),
    midiIn,
    sync: syncView(rig.report?.sync, showLatencyMs),
  }
}

/** The server side's share of the MIDI hub's figures. */
export function serverMidiStats(s: MidiHubStats): ServerMidiStats {
  return { messagesIn: s.messagesIn, messagesOut: s.messagesOut, invalidBytes: s.invalidBytes, expired: s.expired, released: s.released }
}

export interface ServerTallyOptions {
  clock: Clock
  counters: (rig: RigEntry) => PeerCounters
  midiIn: (rig: RigEntry) => number
  /** The show's latency (src/session/sync-view.ts showLatencyOf): what every rig's sync is measured against. */
  showLatencyMs: number
}

/** What the show adds up as it goes: rigs joined and departed, how it ended, since when it runs. */
export class ServerTally {
  private readonly departed: RigReport[] = []
  private rigsJoined = 0
  private end = { reason: '', code: '' }
  private readonly startedMs: number

  constructor(private readonly o: ServerTallyOptions) {
    this.startedMs = o.clock.now()
  }

  report(rig: RigEntry): RigReport {
    return rigReport(rig, this.o.counters(rig), this.o.midiIn(rig), this.o.clock.now(), this.o.showLatencyMs)
  }

  /** Keeps a leaving rig's final figures for the summary (a connection that never joined has none). */
  depart(rig: RigEntry | undefined): void {
    if (rig && rig.phase !== 'handshake') this.departed.push({ ...this.report(rig), phase: 'left' })
  }

  /** Follows the operator's notices: who joined, and why the show ended. */
  noticed(notice: ServerNotice): void {
    if (notice.event === 'joined') this.rigsJoined++
    if (notice.event === 'terminate') this.end = { reason: notice.reason, code: notice.code }
  }

  stats(state: ServerState, o: { packetsBroadcast: number; levels: Levels; midi: ServerMidiStats; timeline: TimelineStats }): ServerStats {
    return {
      phase: state.phase,
      uptimeMs: this.elapsedMs(),
      position: state.position,
      showLatencyMs: this.o.showLatencyMs,
      packetsBroadcast: o.packetsBroadcast,
      levels: o.levels,
      midi: o.midi,
      timeline: o.timeline,
      rigs: [...state.rigs.values()].map((r) => this.report(r)),
    }
  }

  summary(o: { packetsBroadcast: number; framesBroadcast: number; midi: ServerMidiStats }): ServerSummary {
    return {
      ...this.end,
      durationMs: this.elapsedMs(),
      packetsBroadcast: o.packetsBroadcast,
      framesBroadcast: o.framesBroadcast,
      rigsJoined: this.rigsJoined,
      midi: o.midi,
      rigs: this.departed,
    }
  }

  private elapsedMs(): number {
    return Math.round(this.o.clock.now() - this.startedMs)
  }
}
