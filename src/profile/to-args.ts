// A profile becomes the flags it stands for, and flags given on the command line win:
// one parser, one set of checks, whether a setting came from a file or a flag.

import { UsageError } from '../errors.js'
import type { RigProfile, ShowProfile } from './schema.js'

type Flag = [name: string, value?: string]

/** `console`: the operator starts the show on a key, so rigs listed do not start it (an explicit `clients` still does). */
export function serveFlags(p: ShowProfile, o: { console?: boolean } = {}): Flag[] {
  const f: Flag[] = [
    ['transport', p.transport], ['host', p.host], ['port', String(p.port)], ['source', p.source], ['name', p.name],
    ['frames', String(p.format.framesPerPacket)],
  ]
  if (p.clients !== undefined || !o.console) f.push(['clients', String(p.clients ?? Math.max(1, p.rigs.length))])
  // A WAV file sets the show's format itself.
  if (!p.source.startsWith('wav:')) f.push(['rate', String(p.format.rateHz)], ['channels', String(p.format.channels)], ['format', p.format.sampleFormat])
  if (p.durationS !== undefined) f.push(['duration', String(p.durationS)])
  if (p.mtu !== undefined) f.push(['mtu', String(p.mtu)])
  if (p.redundancy !== undefined) f.push(['redundancy', String(p.redundancy)])
  for (const m of p.midi.inputs) f.push(['midi-in', m])
  for (const m of p.midi.outputs) f.push(['midi-out', m])
  return f
}

/** The rig this join is: named by --name, or the only rig the profile lists. */
export function rigOf(p: ShowProfile, name: string | undefined): RigProfile {
  if (name !== undefined) {
    const rig = p.rigs.find((r) => r.name === name)
    if (!rig) throw new UsageError('UNKNOWN_RIG', `profile '${p.name}' lists no rig named '${name}' (rigs: ${p.rigs.map((r) => r.name).join(', ') || 'none'})`)
    return rig
  }
  if (p.rigs.length === 1) return p.rigs[0]!
  throw new UsageError('WHICH_RIG', `profile '${p.name}' lists ${p.rigs.length ? `rigs ${p.rigs.map((r) => r.name).join(', ')}` : 'no rigs'}: say which this is with --name`)
}

export function joinFlags(p: ShowProfile, rig: RigProfile): Flag[] {
  const f: Flag[] = [['name', rig.name], ['sink', rig.sink], ['transport', rig.transport ?? p.transport]]
  const latency = rig.latencyMs ?? p.latencyMs
  if (latency !== undefined) f.push(['latency', String(latency)])
  if (rig.maxLatencyMs !== undefined) f.push(['max-latency', String(rig.maxLatencyMs)])
  if (rig.retry) f.push(['retry'])
  const m = rig.midi
  for (const o of m.outputs) f.push(['midi-out', o])
  for (const i of m.inputs) f.push(['midi-in', i])
  if (m.channels) f.push(['midi-channels', m.channels.join(',')])
  if (m.types) f.push(['midi-types', m.types.join(',')])
  for (const [from, to] of Object.entries(m.mapChannel)) f.push(['midi-map-channel', `${from}:${to}`])
  for (const [from, to] of Object.entries(m.mapController)) f.push(['midi-map-cc', `${from}:${to}`])
  if (!m.clock) f.push(['midi-no-clock'])
  if (m.jitterMs !== undefined) f.push(['midi-jitter', String(m.jitterMs)])
  return f
}

/** Profile flags, minus every option the command line gives itself, then the command line. */
export function mergeFlags(fromProfile: Flag[], argv: readonly string[]): string[] {
  const given = new Set(argv.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!))
  const out: string[] = []
  for (const [name, value] of fromProfile) {
    if (given.has(name)) continue
    out.push(`--${name}`)
    if (value !== undefined) out.push(value)
  }
  return [...out, ...argv]
}
