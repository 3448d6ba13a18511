// A file's audio played at real-time pace out of its read-ahead (file-read-ahead.ts): a packet
// per tick from buffers already full, silence (counted) when the disk is late, the end of
// the show at the end of the file. Shared by the file sources, WAV and headerless raw.

import { bytesPerFrame, framesToMs, type AudioFormat } from '../codec/format.js'
import type { Clock } from '../clock.js'
import { describeFsError } from '../fs-errors.js'
import { Pacer } from './pacer.js'
import type { SourceHandlers } from './source.js'
import type { FileReadAhead } from './file-read-ahead.js'

export interface PacedReadAhead {
  stop(): void
}

/** Paces `readAhead` into `h`; `padded(frames)` hears each stretch of silence sent for a late disk. */
export function paceReadAhead(
  clock: Clock,
  show: AudioFormat,
  readAhead: FileReadAhead,
  h: SourceHandlers,
  path: string,
  padded: (frames: number) => void,
): PacedReadAhead {
  const frameBytes = bytesPerFrame(show)
  let stopped = false
  const pacer = new Pacer(clock, framesToMs(show.framesPerPacket, show.rateHz), () => {
    const failed = readAhead.error
    if (failed) {
      h.end(new Error(`reading ${path}: ${describeFsError(failed)}`))
      return false
    }
    const pcm = readAhead.take(show.framesPerPacket)
    if (pcm === null) {
      // The disk is late: the show goes on in silence rather than stall every rig.
      const frames = Math.min(show.framesPerPacket, readAhead.framesLeft)
      padded(frames)
      h.packet(new Uint8Array(frames * frameBytes))
      return true
    }
    if (pcm.byteLength === 0) {
      readAhead.close()
      h.end()
      return false
    }
    h.packet(pcm)
    return true
  })
  // The first buffer is read while the show waits for its rigs; should the show start
  // before it lands, the first packet waits for it (the show's timeline follows the
  // packets), and from then on the pacer never waits on the disk.
  if (readAhead.ready) pacer.start()
  else void readAhead.whenReady().then(() => !stopped && pacer.start())
  return {
    stop: () => {
      stopped = true
      pacer.stop()
      readAhead.close()
    },
  }
}
