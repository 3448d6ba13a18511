// The show's audio source from the server's side: started once (at INIT), its packets
// counted and handed on, its end (or failure) turned into the reason and code the show ends
// with, and stopped when the show is over. `--duration` is counted here in the show's own
// frames, so a show of S seconds is S seconds of audio whatever the source: a capture card
// that delivers in bursts, or fills silence while it is away, cannot stretch it (a wall-clock
// timer let one CI run broadcast 10.008 s of a 10 s show).

import { bytesPerFrame, type AudioFormat } from '../codec/format.js'
import type { AudioSource } from '../audio/source.js'

export interface SourceLifecycleOptions {
  source: AudioSource
  format: AudioFormat
  /** One packet of PCM from the source, `frames` long (counted in framesRead already). */
  onPacket: (pcm: Uint8Array, frames: number) => void
  /** The source has nothing more, failed, or reached the show's duration: the show ends with this reason and code. */
  onEnd: (reason: string, code: 'end-of-source' | 'source-error' | 'duration') => void
  /** `--duration` in seconds: the packet that reaches it is cut to it and the show ends there. */
  durationS?: number
}

export class SourceLifecycle {
  private started = false
  /** The duration is reached. */
  private ended = false
  private readonly frameBytes: number
  /** The show's length in frames (`durationS`), or Infinity. */
  private readonly durationFrames: number
  /** Sample frames the source has delivered since it started. */
  framesRead = 0

  constructor(private readonly o: SourceLifecycleOptions) {
    this.frameBytes = bytesPerFrame(o.format)
    this.durationFrames = o.durationS === undefined ? Number.POSITIVE_INFINITY : Math.round(o.durationS * o.format.rateHz)
  }

  /** Starts the source; a second call does nothing (INIT may come once only, but a source must never start twice). */
  start(): void {
    if (this.started) return
    this.started = true
    this.o.source.start(this.o.format, {
      packet: (pcm) => {
        if (this.ended) return
        const left = this.durationFrames - this.framesRead
        const frames = Math.min(pcm.byteLength / this.frameBytes, left)
        this.framesRead += frames
        this.o.onPacket(frames * this.frameBytes === pcm.byteLength ? pcm : pcm.subarray(0, frames * this.frameBytes), frames)
        if (frames === left) this.end(`duration of ${this.o.durationS} s reached`, 'duration')
      },
      end: (err) => {
        if (this.ended) return
        if (err) this.o.onEnd(`source failed: ${err.message}`, 'source-error')
        else this.o.onEnd('end of source', 'end-of-source')
      },
    })
  }

  /** The show's duration is reached: what the source sends after it is not the show's. */
  private end(reason: string, code: 'duration'): void {
    this.ended = true
    this.o.onEnd(reason, code)
  }

  stop(): void {
    this.o.source.stop()
  }
}
