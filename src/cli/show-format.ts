// The show's format checked once, before the server listens, against the limits the wire
// has (src/codec/limits.ts, which HELLO's check in src/codec/messages.ts reads too): a
// source the protocol cannot carry is one line at start, not a show whose every rig is
// refused by its HELLO while the server waits. Every source comes through here (tone, raw
// and device take their format from flags already held to the same limits; a WAV brings
// its own).

import type { AudioFormat } from '../codec/format.js'
import { LIMITS } from '../codec/limits.js'
import { UsageError } from '../errors.js'

/** Throws SHOW_FORMAT naming the source and the wire's range when the format is outside it. */
export function checkShowFormat(source: string, format: AudioFormat): void {
  const { rateHz, channels } = LIMITS
  const problem =
    !Number.isInteger(format.rateHz) || format.rateHz < rateHz.min || format.rateHz > rateHz.max
      ? `${format.rateHz} Hz, and the protocol carries ${rateHz.min}-${rateHz.max} Hz (resample it first)`
      : !Number.isInteger(format.channels) || format.channels < channels.min || format.channels > channels.max
        ? `${format.channels} channels, and the protocol carries ${channels.min}-${channels.max} (split or mix it down first)`
        : undefined
  if (problem) throw new UsageError('SHOW_FORMAT', `${source} cannot be the show's audio: it has ${problem}`)
}
