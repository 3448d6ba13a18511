// A rig's human lines: each derived from the very event `--json` prints, so the two can
// never tell different stories. null: the event has no line (stats, but every fifth).

import { describeFormat, type SampleFormat } from '../codec/format.js'
import type { TransportName } from '../codec/messages.js'
import { describeMidi } from '../midi/message.js'
import type { RigStats } from '../session/stats.js'
import type { Event } from './reporter.js'

/** The events a rig emits (the lead types them all as RigEvent). */
export type RigLineEvent =
  | {
      event: 'handshake'; server: string; rate: number; channels: number; format: SampleFormat; frames: number; sessionId: number
      /** Where the rig joined, as whom, and what it plays into. */
      host: string; port: number; name: string; sink: string
    }
  /** `latencyMs`: how far behind the live position the rig plays. */
  | { event: 'init'; position: number; latencyMs: number }
  | { event: 'terminate'; reason: string; code: string }
  | { event: 'silent'; silentMs: number; timeoutMs: number }
  | { event: 'recovered'; silentMs: number }
  | { event: 'switch'; to: TransportName }
  | { event: 'switched'; from: string; to: TransportName }
  /** `transport`: the one the rig stays on. */
  | { event: 'switch-failed'; to: TransportName; reason: string; transport: string }
  | { event: 'device-fault'; reason: string }
  | { event: 'device-restored'; description: string }
  | { event: 'device-started'; description: string }
  /** `stage`: the server could not be reached, or the session with it ended. */
  | { event: 'retrying'; reason: string; stage: 'connect' | 'session' }
  | { event: 'midi'; data: number[]; position: number }
  | ({ event: 'summary'; ok: boolean; reason: string; code: string; sessions: number } & RigStats)
  | ({ event: 'stats' } & RigStats)

const seconds = (ms: number): string => (ms / 1000).toFixed(1)

export function describeRigEvent(event: Event): string | null {
  const e = event as RigLineEvent
  switch (e.event) {
    case 'handshake': {
      const format = describeFormat({ rateHz: e.rate, channels: e.channels, format: e.format, framesPerPacket: e.frames })
      return `joined ${e.server} at ${e.host}:${e.port} as ${e.name}: ${format}; sink ${e.sink}`
    }
    case 'init':
      return `INIT: playing from position ${e.position}, ${e.latencyMs} ms behind`
    case 'terminate':
      return `TERMINATE: ${e.reason}`
    case 'silent':
      return `the server has been silent for ${seconds(e.silentMs)} s (giving up after ${seconds(e.timeoutMs)} s)`
    case 'recovered':
      return `the server is back after ${seconds(e.silentMs)} s`
    case 'switch':
      return `the server asks this rig to move to ${e.to}`
    case 'switched':
      return `moved from ${e.from} to ${e.to}`
    case 'switch-failed':
      return `staying on ${e.transport}: ${e.reason}`
    case 'device-fault':
      return `device fault: ${e.reason}; the session goes on`
    case 'device-restored':
    case 'device-started':
      return e.description
    case 'retrying':
      return e.stage === 'connect' ? `retrying in 1 s: ${e.reason}` : `${e.reason}; rejoining in 1 s (--retry)`
    case 'midi':
      return `midi ${describeMidi(Uint8Array.from(e.data))}`
    case 'summary':
      return `done: ${e.reason}; played ${e.framesPlayed} frames, ${e.underruns} underruns`
    default:
      return null
  }
}

/** The periodic stats line (every fifth stats event). */
export function describeRigStats(s: RigStats): string {
  return `${s.transport}: played ${(s.framesPlayed / 1000).toFixed(0)}k frames, buffer ${s.bufferMs} ms, jitter ${s.jitterMs} ms, ` +
    `underruns ${s.underruns}, lost ${s.packetsLost}, concealed ${s.framesConcealed} frames, rtt ${s.rttMs ?? '-'} ms`
}
