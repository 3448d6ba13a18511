// A rig's human lines: each derived from the very event `--json` prints, so the two can
// never tell different stories. null: the event has no line (stats, but every fifth).

import { describeFormat } from '../codec/format.js'
import { describeMidi } from '../midi/message.js'
import type { RigStats } from '../session/stats.js'
import type { RigEvent } from '../session/events.js'

const seconds = (ms: number): string => (ms / 1000).toFixed(1)

export function describeRigEvent(e: RigEvent): string | null {
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
    case 'priority':
      return e.policy === 'fifo'
        ? `${e.thread} thread: real-time priority ${e.priority} (SCHED_FIFO)`
        : `${e.thread} thread at normal priority: ${e.reason ?? 'not asked'}; a busy core can hold its writes for a scheduler tick (docs/SYNC.md)`
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
  return (
    `${s.transport}: played ${(s.framesPlayed / 1000).toFixed(0)}k frames, buffer ${s.bufferMs} ms, jitter ${s.jitterMs} ms, ` +
    `underruns ${s.underruns}, lost ${s.packetsLost}, concealed ${s.framesConcealed} frames, rtt ${s.rttMs ?? '-'} ms`
  )
}
