// An audio source produces the show's PCM. File and generated sources are paced by
// the show clock (a Pacer); pipes and devices pace themselves, pushing as data comes.

import type { AudioFormat, SampleFormat } from '../codec/format.js'

export interface SourceFormat {
  rateHz: number
  channels: number
  format: SampleFormat
}

export interface SourceHandlers {
  /** One packet of interleaved PCM in the show's format. The source never reuses the buffer. */
  packet(pcm: Uint8Array): void
  /** The source is exhausted (end of file, pipe closed) or failed. */
  end(err?: Error): void
}

export interface AudioSource {
  readonly description: string
  readonly format: SourceFormat
  /** true: the source must be paced by the show clock; false: it paces itself. */
  readonly needsPacing: boolean
  /** How the source's samples reach the show's format, in words (a WAV that is not in one); absent or null: as they are. */
  readonly conversion?: string | null
  /** What the operator should know before the show starts (a WAV cut short), one line each. */
  readonly warnings?: readonly string[]
  /** Starts producing packets of exactly `framesPerPacket` frames (the last one may be shorter). */
  start(format: AudioFormat, handlers: SourceHandlers): void
  stop(): void
  /** A capture card's figures (the show's `stats.device`); absent for other sources. */
  deviceStats?(): DeviceSourceStats
}

/** A capture card's figures, in the show's stats. */
export interface DeviceSourceStats {
  /** How the card's format becomes the show's, and by whom, when it is not the show's ("48000 Hz f32le -> 48000 Hz s16le (converted by Synchro)"). */
  conversion: string | null
  /** Samples that conversion changed (rounded between integer steps, or clipped): 0 is bit-exact. */
  samplesChanged: number
  /** Times the card was reopened after a fault. */
  reopens: number
  /** The card's fault, while it has one. */
  fault: string | null
}
