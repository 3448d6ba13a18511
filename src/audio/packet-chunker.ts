// Bytes as a self-paced producer hands them over (a pipe, a sound card's callbacks) into
// packets of exactly framesPerPacket frames; the tail, whole frames only, on flush.

import { bytesPerFrame, type AudioFormat } from '../codec/format.js'

export class PacketChunker {
  private pending: Buffer = Buffer.alloc(0)
  private readonly packetBytes: number
  private readonly frameBytes: number

  constructor(
    show: AudioFormat,
    private readonly packet: (pcm: Uint8Array) => void,
  ) {
    this.frameBytes = bytesPerFrame(show)
    this.packetBytes = show.framesPerPacket * this.frameBytes
  }

  push(chunk: Buffer): void {
    this.pending = this.pending.byteLength === 0 ? chunk : Buffer.concat([this.pending, chunk])
    let offset = 0
    while (this.pending.byteLength - offset >= this.packetBytes) {
      this.packet(this.pending.subarray(offset, offset + this.packetBytes))
      offset += this.packetBytes
    }
    this.pending = this.pending.subarray(offset)
  }

  /** The last, short packet (whole frames only). */
  flush(): void {
    const whole = this.pending.byteLength - (this.pending.byteLength % this.frameBytes)
    if (whole > 0) this.packet(this.pending.subarray(0, whole))
    this.pending = Buffer.alloc(0)
  }
}
