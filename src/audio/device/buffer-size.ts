// `--device-buffer`: a sound card's buffer, in frames ("128") or milliseconds ("2.5ms").
// Milliseconds become frames at the rate the card is opened at, which is known only then.

import { msToFrames } from '../../codec/format.js'
import { LIMITS } from '../../codec/limits.js'
import { UsageError } from '../../errors.js'

export type DeviceBuffer = { frames: number } | { ms: number }

export function parseDeviceBuffer(value: string | undefined, fallbackFrames: number): DeviceBuffer {
  if (value === undefined) return { frames: fallbackFrames }
  const v = value.trim()
  const ms = /^(\d+(?:\.\d+)?)ms$/.exec(v)
  if (ms) {
    const n = Number(ms[1])
    if (n < 0.5 || n > 340) throw new UsageError('BAD_FLAG', `--device-buffer in milliseconds must be between 0.5ms and 340ms, got ${v}`)
    return { ms: n }
  }
  if (!/^\d+$/.test(v)) throw new UsageError('BAD_FLAG', `--device-buffer must be frames (128) or milliseconds (2.5ms), got '${value}'`)
  const frames = Number(v)
  const { min, max } = LIMITS.deviceBufferFrames
  if (frames < min || frames > max)
    throw new UsageError('BAD_FLAG', `--device-buffer must be between ${min} and ${max} frames, got ${frames}`)
  return { frames }
}

/** The buffer in frames for a card running at `rateHz` (at least the smallest buffer allowed). */
export function bufferFrames(b: DeviceBuffer, rateHz: number): number {
  return 'frames' in b ? b.frames : Math.max(LIMITS.deviceBufferFrames.min, msToFrames(b.ms, rateHz))
}

export function describeBuffer(b: DeviceBuffer): string {
  return 'frames' in b ? `${b.frames}-frame buffer` : `${b.ms} ms buffer`
}
