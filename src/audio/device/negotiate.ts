// Opening a sound card in the show's format, or in the nearest one it takes. Tried in order:
// the show's own rate and sample format; the same rate in another sample format (lossless
// first); then the card's default rate, resampled. --bit-exact stops at what loses nothing:
// no resampling and no float-to-integer rounding, and says so in one line.
// Where the card's own formats are known (native-formats.ts), only those are tried: any
// other would open too, but converted inside PortAudio with dither, unseen; in one of its
// own the conversion is Synchro's (FormatBridge), exact where it can be, and reported.

import { DeviceError } from '../../errors.js'
import { SAMPLE_FORMATS, type SampleFormat } from '../../codec/format.js'
import { isLossless } from '../sample-format.js'
import type { AudioDeviceInfo } from './portaudio.js'

export interface CardFormat {
  rateHz: number
  format: SampleFormat
}

export interface Negotiated<S> {
  stream: S
  card: CardFormat
}

/** Which of `cards` the card opens with: the index of the first that opens (-1: none), and why each before it was refused. */
export type Probe = (cards: CardFormat[]) => { index: number; errors: string[] }

/**
 * `open` throws when the card refuses a format (PortAudio's "Format not supported", "Invalid
 * sample rate"); the first format it accepts wins. With `probe`, all candidates are tried in
 * one go first (a device host answers for all of them at once) and only the winner opened.
 * `direction` says which way samples flow, so "lossless" is judged from the show to the card
 * (output) or from the card to the show (input).
 */
export function openNegotiated<S>(
  open: (card: CardFormat) => S,
  show: CardFormat,
  device: AudioDeviceInfo,
  direction: 'input' | 'output',
  bitExact: boolean,
  probe?: Probe,
  native?: readonly SampleFormat[],
): Negotiated<S> {
  const lossless = (card: SampleFormat): boolean => (direction === 'output' ? isLossless(show.format, card) : isLossless(card, show.format))
  const takes = (f: SampleFormat): boolean => native === undefined || native.length === 0 || native.includes(f)
  const formats = [
    show.format,
    ...SAMPLE_FORMATS.filter((f) => f !== show.format && lossless(f)),
    ...SAMPLE_FORMATS.filter((f) => !lossless(f)),
  ].filter(takes)
  const rates = [show.rateHz, ...(device.defaultRateHz > 0 && device.defaultRateHz !== show.rateHz ? [device.defaultRateHz] : [])]
  const candidates: CardFormat[] = []
  let refusedByBitExact: string | undefined
  for (const rateHz of rates) {
    for (const format of formats) {
      if (bitExact && (rateHz !== show.rateHz || !lossless(format))) refusedByBitExact ??= `${rateHz} Hz ${format}`
      else candidates.push({ rateHz, format })
    }
  }
  const tried: string[] = []
  let busy = false
  const refused = (card: CardFormat, message: string): void => {
    const why = message.replace(/^Could not open stream: |^Format not supported: /, '')
    if (/unavailable|busy/i.test(why)) busy = true
    tried.push(`${card.rateHz} Hz ${card.format} (${why})`)
  }
  if (probe) {
    const { index, errors } = probe(candidates)
    for (const [i, e] of errors.entries()) refused(candidates[i]!, e)
    if (index >= 0) return { stream: open(candidates[index]!), card: candidates[index]! }
  } else {
    for (const card of candidates) {
      try {
        return { stream: open(card), card }
      } catch (err) {
        refused(card, (err as Error).message)
      }
    }
  }
  const what = `audio ${direction} '${device.name}'`
  if (tried.length === 0 && refusedByBitExact && native?.length)
    throw new DeviceError(
      'FORMAT_UNSUPPORTED',
      `${what} takes only ${native.join(', ')} (any other format PortAudio would convert unseen): --bit-exact forbids ${refusedByBitExact}, which would need ${refusedByBitExact.startsWith(`${show.rateHz} `) ? 'rounding' : 'resampling'}`,
    )
  if (busy)
    throw new DeviceError(
      'DEVICE_BUSY',
      `${what} is busy: another program has it open (close it, or pick another device with synchro devices)`,
    )
  const exact = refusedByBitExact
    ? `; --bit-exact forbids ${refusedByBitExact}, which would need ${refusedByBitExact.startsWith(`${show.rateHz} `) ? 'rounding' : 'resampling'}`
    : ''
  throw new DeviceError('FORMAT_UNSUPPORTED', `${what} takes none of the formats tried: ${tried.join(', ')}${exact}`)
}

/** `by`: who converts, where that is known (the capture side says "Synchro": it opens the card in a format the card takes). */
export function describeConversion(show: CardFormat, card: CardFormat, direction: 'input' | 'output', by?: string): string | null {
  if (show.rateHz === card.rateHz && show.format === card.format) return null
  const [from, to] = direction === 'output' ? [show, card] : [card, show]
  const how = from.rateHz !== to.rateHz ? 'resampled' : 'converted'
  return `${from.rateHz} Hz ${from.format} -> ${to.rateHz} Hz ${to.format} (${how}${by ? ` by ${by}` : ''})`
}
