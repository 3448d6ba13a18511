// The operator's actions, one layer for every front end: `serve --control -` (one command
// per line on stdin) and the terminal console (tui/). Front ends parse and print; what
// an action does lives here, so the console can hold no protocol logic.

import type { ServerRunner } from '../session/server-runner.js'
import type { RigReport, ServerStats } from '../session/stats.js'
import { describeSync } from '../session/sync-view.js'

export type Command =
  | { kind: 'status' }
  | { kind: 'init' }
  | { kind: 'terminate'; reason: string }
  | { kind: 'switch'; to: 'tcp' | 'udp' }
  | { kind: 'panic' }
  | { kind: 'kick'; name: string }
  | { kind: 'mute'; name: string; muted: boolean }
  | { kind: 'help' }

export type CommandResult =
  | { ok: true; command: string; status?: ServerStats; message: string }
  | { ok: false; command: string; error: string }

export const COMMAND_HELP =
  'commands: status | init | switch udp|tcp | panic | kick RIG | mute RIG | unmute RIG | terminate [REASON] | help'

/** Parses one line; unknown words are an error result, never an exception. */
export function parseCommand(line: string): Command | { error: string } {
  const [word = '', ...rest] = line.trim().split(/\s+/)
  switch (word.toLowerCase()) {
    case 'status':
      return { kind: 'status' }
    case 'init':
    case 'start':
      return { kind: 'init' }
    case 'terminate':
    case 'stop':
      return { kind: 'terminate', reason: rest.join(' ') || 'stopped by operator command' }
    case 'switch': {
      const to = (rest[0] ?? '').toLowerCase()
      if (to !== 'udp' && to !== 'tcp') return { error: `switch takes udp or tcp, got '${rest[0] ?? ''}'` }
      return { kind: 'switch', to }
    }
    case 'panic':
      return { kind: 'panic' }
    case 'kick':
    case 'mute':
    case 'unmute': {
      const name = rest.join(' ')
      if (!name) return { error: `${word.toLowerCase()} takes a rig name` }
      return word.toLowerCase() === 'kick' ? { kind: 'kick', name } : { kind: 'mute', name, muted: word.toLowerCase() === 'mute' }
    }
    case 'help':
    case '?':
      return { kind: 'help' }
    default:
      return { error: word === '' ? 'empty command' : `unknown command '${word}' (${COMMAND_HELP})` }
  }
}

export function execute(runner: ServerRunner, command: Command): CommandResult {
  switch (command.kind) {
    case 'status':
      return { ok: true, command: 'status', status: runner.stats(), message: describeStatus(runner.stats()) }
    case 'init': {
      const phase = runner.stats().phase
      if (phase !== 'waiting') return { ok: false, command: 'init', error: `cannot start: the show is ${phase}` }
      runner.init()
      return { ok: true, command: 'init', message: 'show started' }
    }
    case 'terminate': {
      const phase = runner.stats().phase
      if (phase === 'closed') return { ok: false, command: 'terminate', error: 'the show has already ended' }
      runner.terminate(command.reason, 'operator')
      return { ok: true, command: 'terminate', message: `terminating: ${command.reason}` }
    }
    case 'switch': {
      const phase = runner.stats().phase
      if (phase === 'closed') return { ok: false, command: 'switch', error: 'the show has already ended' }
      const from = runner.mode
      runner.switchTo(command.to)
      const moving = runner.stats().rigs.filter((r) => r.switchingTo === command.to).length
      return {
        ok: true,
        command: 'switch',
        message: `show on ${command.to}${from === command.to ? ' already' : ` (was ${from})`}; moving ${moving} rig(s)`,
      }
    }
    case 'panic': {
      const phase = runner.stats().phase
      if (phase === 'closed') return { ok: false, command: 'panic', error: 'the show has already ended' }
      runner.midiPanic()
      return {
        ok: true,
        command: 'panic',
        message:
          phase === 'streaming'
            ? 'MIDI panic: all notes and sustain off on every channel, every rig'
            : 'MIDI panic: server outputs released (rigs get MIDI once the show starts)',
      }
    }
    case 'kick':
      if (!runner.kick(command.name)) return { ok: false, command: 'kick', error: `no rig named '${command.name}'` }
      return { ok: true, command: 'kick', message: `removed ${command.name} from the show` }
    case 'mute': {
      const verb = command.muted ? 'mute' : 'unmute'
      if (!runner.mute(command.name, command.muted)) return { ok: false, command: verb, error: `no rig named '${command.name}'` }
      return { ok: true, command: verb, message: `${command.name} ${command.muted ? 'muted: it gets silence, MIDI goes on' : 'unmuted'}` }
    }
    case 'help':
      return { ok: true, command: 'help', message: COMMAND_HELP }
  }
}

function describeStatus(s: ServerStats): string {
  const rigs = s.rigs
    .map(
      (r) =>
        `${r.name} (${r.phase}${r.muted ? ', muted' : ''} on ${r.transport}${r.switchingTo ? `, moving to ${r.switchingTo}` : ''}, rtt ${r.rttMs ?? '-'} ms${r.heard ? `, lost ${r.heard.packetsLost}, jitter ${r.heard.jitterMs} ms` : ''}${syncWords(r)})`,
    )
    .join(', ')
  return (
    `${s.phase}, ${(s.uptimeMs / 1000).toFixed(0)} s up, position ${s.position}, latency ${s.showLatencyMs} ms, ` +
    `${s.rigs.length} rig(s)${rigs ? ': ' + rigs : ''}`
  )
}

/** Every streaming rig's sync state (a rig not streaming yet has none to tell, unless it already reported). */
function syncWords(r: RigReport): string {
  return r.phase === 'streaming' || r.sync !== null ? `, ${describeSync(r.sync)}` : ''
}
