// Sends PCM held in memory (a WAV's samples, a raw file) as packets at real-time pace.
// Packets are views into `bytes`, never copies; the last one may be short.

import { bytesPerFrame, framesToMs, type AudioFormat } from '../codec/format.js'
import type { Clock } from '../clock.js'
import { Pacer } from './pacer.js'
import type { SourceHandlers } from './source.js'

export function paceBytes(clock: Clock, show: AudioFormat, bytes: Uint8Array, h: SourceHandlers): Pacer {
  const frameBytes = bytesPerFrame(show)
  const packetBytes = show.framesPerPacket * frameBytes
  // Whole frames only: a trailing partial frame in a raw file is not audio.
  const usable = bytes.byteLength - (bytes.byteLength % frameBytes)
  let offset = 0
  const pacer = new Pacer(clock, framesToMs(show.framesPerPacket, show.rateHz), () => {
    if (offset >= usable) {
      h.end()
      return false
    }
    const end = Math.min(offset + packetBytes, usable)
    h.packet(bytes.subarray(offset, end))
    offset = end
    return true
  })
  pacer.start()
  return pacer
}
