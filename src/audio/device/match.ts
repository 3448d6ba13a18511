// A device named on the command line: by its whole name or a unique prefix (any case); no
// name means the system default. When nothing matches, the nearest names are offered.

import { DeviceError, UsageError } from '../../errors.js'
import type { AudioDeviceInfo } from './portaudio.js'

export function matchDevice(
  wanted: string | undefined,
  devices: readonly AudioDeviceInfo[],
  direction: 'input' | 'output',
): AudioDeviceInfo {
  const usable = devices.filter((d) => (direction === 'input' ? d.inputChannels : d.outputChannels) > 0)
  if (wanted === undefined || wanted === '') {
    // PortAudio lists the default first among ALSA's ("default", else the first usable).
    const d = usable.find((x) => x.name === 'default') ?? usable[0]
    if (!d) throw new DeviceError('NO_DEVICE', `this machine has no audio ${direction} device`)
    return d
  }
  const lower = wanted.toLowerCase()
  const exact = usable.filter((d) => d.name.toLowerCase() === lower)
  if (exact.length === 1) return exact[0]!
  const prefixed = usable.filter((d) => d.name.toLowerCase().startsWith(lower))
  if (prefixed.length === 1) return prefixed[0]!
  if (prefixed.length > 1)
    throw new UsageError(
      'AMBIGUOUS_DEVICE',
      `audio ${direction} '${wanted}' matches ${prefixed.map((d) => `'${d.name}'`).join(', ')}: say which`,
    )
  const near = usable
    .map((d) => ({ d, score: distance(lower, d.name.toLowerCase()) - (d.name.toLowerCase().includes(lower) ? 10 : 0) }))
    .sort((a, b) => a.score - b.score)
    .filter((x) => x.score <= Math.max(3, wanted.length / 2))
    .slice(0, 3)
  const hint = near.length
    ? `; did you mean ${near.map((x) => `'${x.d.name}'`).join(', ')}?`
    : usable.length
      ? `; ${direction}s here: ${usable.map((d) => `'${d.name}'`).join(', ')}`
      : ''
  throw new UsageError('UNKNOWN_DEVICE', `no audio ${direction} named '${wanted}'${hint} (synchro devices lists them)`)
}

/** Levenshtein distance: the near matches a stage tech meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]!
}
