// The show's audio source from the server's side: started once (at INIT), its packets
// counted and handed on, its end (or failure) turned into the reason and code the show ends
// with, and stopped when the show is over.

import { bytesPerFrame, type AudioFormat } from '../codec/format.js'
import type { AudioSource } from '../audio/source.js'

export interface SourceLifecycleOptions {
  source: AudioSource
  format: AudioFormat
  /** One packet of PCM from the source, `frames` long (counted in framesRead already). */
  onPacket: (pcm: Uint8Array, frames: number) => void
  /** The source has nothing more, or failed: the show ends with this reason and code. */
  onEnd: (reason: string, code: 'end-of-source' | 'source-error') => void
}

export class SourceLifecycle {
  private started = false
  private readonly frameBytes: number
  /** Sample frames the source has delivered since it started. */
  framesRead = 0

  constructor(private readonly o: SourceLifecycleOptions) {
    this.frameBytes = bytesPerFrame(o.format)
  }

  /** Starts the source; a second call does nothing (INIT may come once only, but a source must never start twice). */
  start(): void {
    if (this.started) return
    this.started = true
    this.o.source.start(this.o.format, {
      packet: (pcm) => {
        const frames = pcm.byteLength / this.frameBytes
        this.framesRead += frames
        this.o.onPacket(pcm, frames)
      },
      end: (err) => (err ? this.o.onEnd(`source failed: ${err.message}`, 'source-error') : this.o.onEnd('end of source', 'end-of-source')),
    })
  }

  stop(): void {
    this.o.source.stop()
  }
}
