// The server's human lines: each derived from the very event `--json` prints, so the two
// can never tell different stories. null: the event has no line (stats, but every fifth).

import { describeFormat } from '../codec/format.js'
import { describeMidi } from '../midi/message.js'
import type { ServerStats } from '../session/stats.js'
import type { ShowEvent } from '../session/events.js'
import { describeSync, keepsShowTime, msText, outOfStepCause, signedMsText } from '../session/sync-view.js'

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`

export function describeShowEvent(e: ShowEvent): string | null {
  switch (e.event) {
    case 'listening':
      return (
        `listening on ${e.transport} ${e.host}:${e.port}; source ${e.source}` +
        // A converted or cut file says so here too, for the console's log (serve also says it on stderr).
        (e.conversion ? ` (${e.conversion})` : '') +
        (e.warnings ?? []).map((w) => ` (${w})`).join('') +
        `; ${describeFormat(e.format)}; ` +
        `waiting for ${plural(e.clients, 'rig')}` +
        e.midi.map((m) => `; ${m}`).join('')
      )
    case 'joined':
      return `rig ${e.name} joined from ${e.remote}${e.late ? ' (late: playing from the live position)' : ''}`
    case 'left':
      return `rig ${e.name} left: ${e.reason}`
    case 'rejected':
      return `refused ${e.remote}: ${e.reason}`
    case 'init':
      return `INIT: streaming to ${plural(e.rigs.length, 'rig')} (${e.rigs.join(', ')})`
    case 'terminate':
      return `TERMINATE: ${e.reason}`
    case 'switch':
      return `switching the show to ${e.to}: ${e.rigs.length ? e.rigs.join(', ') : 'no rig needs to move'}`
    case 'switched':
      return `rig ${e.name} moved from ${e.from} to ${e.to} (${e.remote})`
    case 'switch-failed':
      return `rig ${e.name} stays where it is: ${e.reason}`
    case 'muted':
      return `rig ${e.name} ${e.muted ? 'muted (it gets silence; MIDI goes on)' : 'unmuted'}`
    case 'sync':
      return describeSyncChange(e)
    case 'device-fault':
      return `device fault: ${e.reason}; the show goes on in silence`
    case 'device-restored':
      return e.description
    case 'midi':
      return `midi ${describeMidi(Uint8Array.from(e.data))}`
    case 'control':
      return e.ok ? `> ${e.message}` : `? ${e.error}`
    case 'summary':
      return (
        `done: ${e.reason}; ${e.packetsBroadcast} packets (${(e.framesBroadcast / e.rateHz).toFixed(1)} s of audio) ` +
        `to ${e.rigsJoined} rig(s)`
      )
    default:
      return null
  }
}

/** The periodic stats line (every fifth stats event while streaming); `midi`: the show has MIDI in or out. */
export function describeShowStats(s: ServerStats, midi: boolean): string {
  return (
    `${(s.uptimeMs / 1000).toFixed(0)} s: ${s.rigs.length} rig(s), ${s.packetsBroadcast} packets sent` +
    (midi ? `, MIDI ${s.midi.messagesIn} in / ${s.midi.messagesOut} out` : '') +
    s.rigs
      .map(
        (r) =>
          `; ${r.name} on ${r.transport}, rtt ${r.rttMs ?? '-'} ms, dropped ${r.framesDropped}` +
          (r.heard ? `, lost ${r.heard.packetsLost}, concealed ${r.heard.framesConcealed}` : '') +
          // A rig not keeping the show's time is named on every line until it does (issue 12 item 4).
          (r.sync !== null && !keepsShowTime(r.sync) ? `, ${describeSync(r.sync)}` : ''),
      )
      .join('')
  )
}

/** A rig's sync state changed: late, back in time, on the show clock, or off it. */
function describeSyncChange(e: Extract<ShowEvent, { event: 'sync' }>): string {
  const step = e.outOfStepMs === 0 ? '' : `; out of step by ${signedMsText(e.outOfStepMs)} ms (${outOfStepCause(e)})`
  switch (e.state) {
    case 'late':
      return `rig ${e.name} late by ${msText(e.lateMs)} ms: its audio arrives after its play time and is concealed (the path is slower than the latency)${step}`
    case 'in-time':
      return `rig ${e.name} ${e.from === 'late' ? 'back in time' : 'in time on the show clock'}${step}`
    case 'no-clock':
      return `rig ${e.name} lost the show clock: it is not on the show's time until it has one again`
  }
}
