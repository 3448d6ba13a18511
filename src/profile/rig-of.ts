// Which of a profile's rigs a `join --profile` is: the one named by --name, or the only one.

import { UsageError } from '../errors.js'
import type { RigProfile, ShowProfile } from './schema.js'

export function rigOf(p: ShowProfile, name: string | undefined): RigProfile {
  if (name !== undefined) {
    const rig = p.rigs.find((r) => r.name === name)
    const listed = p.rigs.map((r) => r.name).join(', ') || 'none'
    if (!rig) throw new UsageError('UNKNOWN_RIG', `profile '${p.name}' lists no rig named '${name}' (rigs: ${listed})`)
    return rig
  }
  if (p.rigs.length === 1) return p.rigs[0]!
  const listed = p.rigs.length ? `rigs ${p.rigs.map((r) => r.name).join(', ')}` : 'no rigs'
  throw new UsageError('WHICH_RIG', `profile '${p.name}' lists ${listed}: say which this is with --name`)
}
