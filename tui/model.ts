// What the console shows, gathered from the show: the runner's stats polled a few times a
// second, and the show's events kept as a log. The console renders this and nothing else;
// every action goes through src/control/commands.ts, so it holds no protocol logic.

import type { ServerStats } from '../src/session/stats.js'
import type { ShowEvent } from '../src/session/events.js'
import type { AudioFormat } from '../src/codec/format.js'
import type { Clock } from '../src/clock.js'

export interface LogLine {
  atMs: number
  text: string
  level: 'info' | 'warn'
}

export interface ShowInfo {
  name: string
  port: number
  format: AudioFormat
  source: string
}

export interface ConsoleSnapshot {
  info: ShowInfo
  stats: ServerStats
  mode: 'tcp' | 'udp'
  log: readonly LogLine[]
  /** MIDI messages per second into the show and out of the server, over the last poll. */
  midiRate: { in: number; out: number }
}

const LOG_LINES = 200
const WARN_EVENTS: ReadonlySet<ShowEvent['event']> = new Set(['device-fault', 'left', 'rejected', 'switch-failed', 'terminate'])

export class ConsoleModel {
  private snapshot: ConsoleSnapshot
  private readonly listeners = new Set<() => void>()
  private log: LogLine[] = []
  private timer: unknown
  private lastMidi = { atMs: 0, in: 0, out: 0 }

  constructor(
    private readonly info: ShowInfo,
    private readonly read: () => { stats: ServerStats; mode: 'tcp' | 'udp' },
    /** What the log is stamped and the MIDI rates timed with, and the polling runs on. */
    private readonly clock: Clock,
  ) {
    const first = read()
    this.snapshot = { info, ...first, log: [], midiRate: { in: 0, out: 0 } }
  }

  /** An event from the show (the same ones --json prints) with its readable line. */
  event(e: ShowEvent, line: string | null): void {
    // The table and meters show the stats; the log is for what happens.
    if (line === null || e.event === 'stats') return
    // A rig off the show's time is a warning; one back in time is news.
    const warn = e.event === 'sync' ? e.state !== 'in-time' : WARN_EVENTS.has(e.event)
    this.note(line, warn ? 'warn' : 'info')
  }

  /** A line of the console's own (a key's answer, the show's end) in the log. */
  note(text: string, level: LogLine['level'] = 'info'): void {
    this.log = [...this.log.slice(-(LOG_LINES - 1)), { atMs: this.clock.now(), text, level }]
    this.refresh()
  }

  /** Polls the show every `everyMs` (several times a second: meters move, nothing flickers). */
  start(everyMs = 250): void {
    this.stop()
    const poll = (): void => {
      this.timer = this.clock.setTimeout(poll, everyMs)
      this.refresh()
    }
    this.timer = this.clock.setTimeout(poll, everyMs)
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  refresh(): void {
    const { stats: raw, mode } = this.read()
    // Rigs in name order, so a rig keeps its row when it reconnects or moves transport.
    const stats = { ...raw, rigs: [...raw.rigs].sort((a, b) => a.name.localeCompare(b.name)) }
    const now = this.clock.now()
    const dt = (now - this.lastMidi.atMs) / 1000
    const midiRate =
      dt > 0 && this.lastMidi.atMs > 0
        ? {
            in: Math.max(0, (stats.midi.messagesIn - this.lastMidi.in) / dt),
            out: Math.max(0, (stats.midi.messagesOut - this.lastMidi.out) / dt),
          }
        : this.snapshot.midiRate
    this.lastMidi = { atMs: now, in: stats.midi.messagesIn, out: stats.midi.messagesOut }
    this.snapshot = { info: this.info, stats, mode, log: this.log, midiRate }
    for (const l of this.listeners) l()
  }

  get current(): ConsoleSnapshot {
    return this.snapshot
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
}
