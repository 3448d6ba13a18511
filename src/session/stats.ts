// What the runners report: the server's view of each rig and of the show, the rig's own
// view, and the end-of-show summary. Kept apart from the runners so the console, the control
// commands and the CLI read them without importing the composition layer.

import type { Report, SyncReport } from '../codec/messages.js'
import type { Levels } from '../audio/levels.js'
import type { PlayoutStats } from '../audio/playout.js'
import type { DeviceSinkStats } from '../audio/sink.js'
import type { ClockEstimate } from '../sync/clock-estimator.js'

export interface RigReport {
  name: string
  remote: string
  phase: string
  /** The transport this rig is on now. */
  transport: string
  /** Set while the rig is being moved to another transport. */
  switchingTo: string | null
  rttMs: number | null
  /** Since the rig joined, across transport switches. */
  framesSent: number
  bytesSent: number
  framesDropped: number
  queuedBytes: number
  /** Control messages sent again because no ACK came (UDP). */
  retransmits: number
  /** The rig's own receiver report (loss, jitter, buffer), null until the first. */
  heard: Report | null
  /** MIDI messages received from this rig (its own controllers). */
  midiIn: number
  /** The operator muted this rig (it gets silence). */
  muted: boolean
  /** Since the server last heard from this rig (ms). */
  silentMs: number
  /** Whether this rig keeps the show's time, from its latest REPORT (docs/SYNC.md); null until it says. */
  sync: RigSyncView | null
}

/** A rig's sync state as the server shows it: what the rig reports, and how far it plays from the show. */
export interface RigSyncView extends SyncReport {
  /**
   * How far from the show this rig plays, ms: (its latency − the show's) + its offset. 0 in
   * step; a rig with its own `join --latency` or an `--offset` is knowingly out of step by this.
   */
  outOfStepMs: number
}

export interface ServerStats {
  phase: string
  uptimeMs: number
  position: number
  /** The show's latency (`serve --latency`), ms: what every rig plays at unless it sets its own. */
  showLatencyMs: number
  packetsBroadcast: number
  /** The source's level per channel (dBFS): what the operator's meters show. */
  levels: Levels
  midi: ServerMidiStats
  /** Where the source sits on the server's clock (src/sync/show-timeline.ts). */
  timeline: TimelineStats
  rigs: RigReport[]
}

/** The show timeline's figures: what the server publishes to every rig, and why it moved. */
export interface TimelineStats {
  /** The source's clock against the server's, ppm (+: the source runs fast), as fitted from the envelope. */
  sourceDriftPpm: number
  /** Times the source slipped (paused and came back late) and the timeline re-anchored. */
  steps: number
  /** How late the source's packets typically reach the server past the timeline, ms: taken off the server's MIDI stamps. */
  readLagMs: number
}

export interface ServerMidiStats {
  /** Messages from the server's MIDI inputs into the show. */
  messagesIn: number
  /** Messages from rigs out of the server's MIDI outputs. */
  messagesOut: number
  /** Invalid bytes skipped on raw MIDI inputs. */
  invalidBytes: number
  /** Messages given up on before every UDP rig acknowledged them (each such rig released its notes). */
  expired: number
  /** Note-offs and sustain-offs sent for what departed rigs left held. */
  released: number
}

export interface ServerSummary {
  reason: string
  code: string
  durationMs: number
  packetsBroadcast: number
  framesBroadcast: number
  rigsJoined: number
  midi: ServerMidiStats
  rigs: RigReport[]
}

export interface RigStats extends PlayoutStats {
  phase: string
  transport: string
  rttMs: number | null
  /** Audio packets recovered from redundant copies (UDP with --redundancy). */
  packetsRecovered: number
  /** Transport switches completed. */
  switches: number
  midi: RigMidiStats
  /** A sound-card sink: the card's measured drift (ppm), frames inserted and dropped to follow it, its fault if any. */
  device: DeviceSinkStats | null
  /** The rig's estimate of the server's clock (docs/SYNC.md); null before the first time exchange. */
  clock: RigClockStats | null
  /** Whether this rig plays on the show clock, and how far from it (docs/SYNC.md). */
  sync: RigSyncStats
}

/** A rig's place on the show clock: what it reports to the server, and the show's latency as INIT gave it. */
export interface RigSyncStats extends SyncReport {
  /** The show's latency (`serve --latency`), from INIT; null before INIT. */
  showLatencyMs: number | null
}

/** The clock estimate (src/sync/clock-estimator.ts, where each field is described), rounded for the operator. */
export type RigClockStats = ClockEstimate

export interface RigMidiStats {
  /** Messages received from the server, in order, once each. */
  received: number
  /** Messages sent to this rig's MIDI outputs (after routing). */
  out: number
  /** Messages the server gave up on before they arrived (held notes were released). */
  lost: number
  /** With --midi-timing show: messages that arrived after their show time, sent at once (a path slower than the latency). */
  late: number
  /** Copies dropped (repetition over UDP). */
  duplicates: number
  /** Note-offs and sustain-offs sent to release held notes (gap, switch, end). */
  released: number
  /** Messages this rig sent to the server (its own controllers). */
  sent: number
}
