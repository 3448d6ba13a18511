// A sink receives the frames a rig plays, in order, at the sample rate.

import type { SourceFormat } from './source.js'

export interface AudioSink {
  readonly description: string
  /** The show's format is known once the handshake is done. */
  open(format: SourceFormat): void
  /**
   * Frames in show order. `dueMs` (the rig's clock) is when the first of them should leave
   * the output on the show clock: a pipe writes them then, a card steers toward it. Absent
   * when the rig has no show clock yet, and for recordings (every frame, no timing).
   */
  write(pcm: Uint8Array, dueMs?: number): void
  /**
   * How long before its due time a frame must be handed over (a card's queue), ms, for a
   * playout writing `packetFrames` at a time; 0 or absent: at its due time. The playout
   * hands frames over this much early.
   */
  leadMs?(packetFrames: number): number
  /**
   * How far ahead of its due time the sink takes frames that are here and in order, holding
   * each until its time (a card's device host, timed-writes.ts), for a show at `latencyMs`:
   * a stall of the rig's event loop then does not keep them from the output. 0 or absent, or
   * no more than leadMs: frames are handed over at their lead.
   */
  aheadMs?(packetFrames: number, latencyMs: number): number
  /** Whether the sink plays in real time (pipe, card) or records every frame (file, WAV): a recording never drops a late frame. */
  readonly realtime?: boolean
  /**
   * A sink that takes a while to play after open() (a sound card opening through its device
   * host): resolves once it plays, or has failed (its fault reported). A rig tells the server
   * it has joined only then (rig-machine.ts, awaitsMedia).
   */
  ready?(): Promise<void>
  /** Flushes and finalises (a WAV's header gets its sizes). Idempotent. */
  close(): Promise<void>
  /** What a sound card reports (drift, corrections, faults), for the rig's stats. */
  deviceStats?(): DeviceSinkStats | undefined
}

export interface DeviceSinkStats {
  /** The card's rate, ppm (+: fast): against the show clock once the rig has one, before that against the frames it is given. */
  driftPpm: number
  /** Single frames repeated (the card was early) and dropped (late). */
  framesInserted: number
  framesDropped: number
  /** How late the frames leave the card against the show clock (+: late), filtered, ms; null without a show clock or before it is measured. */
  syncErrorMs: number | null
  /** Times the card was far off the show clock (over 5 ms, or over 2 ms late for 1.3 s) and was skipped or padded at once. */
  hardResyncs: number
  /** Frames written and not yet taken by the card. */
  queuedFrames: number
  /** Frames that never reached the card: due before they could leave it on the show clock, more than its few buffers hold without one (live output stays live), or played while it was away after a fault. */
  framesSkipped: number
  /** Frames of silence the steering put before audio to move it later at once (the card was early: its first alignment, or a hard resync). */
  framesPadded: number
  /** How the show's format reaches the card when it would not take it as it is ("44100 Hz s16le -> 48000 Hz f32le (resampled)"). */
  conversion: string | null
  /** Times the card was reopened after a fault. */
  reopens: number
  fault: string | null
}

export class NullSink implements AudioSink {
  readonly description = 'null (discard)'
  open(): void {}
  write(): void {}
  async close(): Promise<void> {}
}
