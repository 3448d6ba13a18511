// The samples between the show's format and the card's: channels re-mixed on the side with
// the show's format, sample format converted, rate resampled. Each call returns a buffer of
// its own (PortAudio and the packetizer keep what they are given).

import type { SampleFormat } from '../../codec/format.js'
import { remix } from '../remix.js'
import { Resampler } from '../resampler.js'
import { type ConversionCount, convertSamples, fromFloat32, toFloat32 } from '../sample-format.js'

export interface Side {
  rateHz: number
  format: SampleFormat
  channels: number
}

export class FormatBridge {
  private resampler: Resampler | undefined
  /** Resolves once the resampler is loaded (at once when none is needed). */
  readonly ready: Promise<void>
  private isReady: boolean
  /** Samples the conversion changed (rounded or clipped into an integer format), for the stats. */
  readonly count: ConversionCount = { changed: 0 }

  constructor(
    private readonly from: Side,
    private readonly to: Side,
  ) {
    const resample = from.rateHz !== to.rateHz
    this.isReady = !resample
    // Channels are re-mixed before resampling on the way out and after it on the way in, so
    // the resampler always runs at the smaller channel count of the two.
    this.ready = resample
      ? Resampler.create(Math.min(from.channels, to.channels), from.rateHz, to.rateHz).then((r) => {
          this.resampler = r
          this.isReady = true
        })
      : Promise.resolve()
  }

  get identity(): boolean {
    return this.from.rateHz === this.to.rateHz && this.from.format === this.to.format && this.from.channels === this.to.channels
  }

  /** `from` PCM in, `to` PCM out; empty until the resampler has loaded. */
  convert(pcm: Uint8Array): Uint8Array {
    if (!this.isReady) return new Uint8Array(0)
    const { from, to } = this
    const narrow = to.channels < from.channels
    const mixedIn = narrow ? remix(pcm, from.format, from.channels, to.channels) : pcm
    let out: Uint8Array
    if (this.resampler) {
      out = fromFloat32(this.resampler.process(toFloat32(mixedIn, from.format)), to.format, this.count)
    } else {
      out = convertSamples(mixedIn, from.format, to.format, this.count)
    }
    if (to.channels > from.channels) out = remix(out, to.format, from.channels, to.channels)
    return out === pcm ? pcm.slice() : out
  }

  destroy(): void {
    this.resampler?.destroy()
  }
}
