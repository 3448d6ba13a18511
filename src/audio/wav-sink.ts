// Records what the rig plays into a WAV file. The header comes from wavefile; we write
// the samples as they are played and patch the RIFF and data sizes in place: every
// second (so even a rig killed with SIGKILL leaves a file that opens) and on close.

import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs'
import wavefile from 'wavefile'
import { bytesPerFrame } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import type { AudioSink } from './sink.js'
import type { SourceFormat } from './source.js'

const BIT_DEPTH = { s16le: '16', s24le: '24', f32le: '32f' } as const

export class WavSink implements AudioSink {
  readonly description: string
  private fd: number | undefined
  private dataOffset = 0
  private dataBytes = 0
  private bytesSincePatch = 0
  private patchEveryBytes = 0
  private opened = false

  constructor(readonly path: string) {
    this.description = `wav ${path}`
    try {
      // Opened now so a bad path fails before the rig connects.
      this.fd = openSync(path, 'w')
    } catch (err) {
      throw new UsageError('SINK_UNWRITABLE', `cannot write ${path}: ${describeFsError(err)}`)
    }
  }

  open(format: SourceFormat): void {
    if (this.opened || this.fd === undefined) return
    const wav = new wavefile.WaveFile()
    wav.fromScratch(format.channels, format.rateHz, BIT_DEPTH[format.format], [])
    const header = wav.toBuffer()
    this.dataOffset = findDataChunk(header) + 8
    writeSync(this.fd, header, 0, this.dataOffset, 0)
    this.patchEveryBytes = format.rateHz * bytesPerFrame(format)
    this.opened = true
  }

  write(pcm: Uint8Array): void {
    if (!this.opened || this.fd === undefined) return
    writeSync(this.fd, pcm, 0, pcm.byteLength, this.dataOffset + this.dataBytes)
    this.dataBytes += pcm.byteLength
    this.bytesSincePatch += pcm.byteLength
    if (this.bytesSincePatch >= this.patchEveryBytes) this.patchSizes()
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return
    if (this.opened) this.patchSizes()
    closeSync(this.fd)
    this.fd = undefined
    // Nothing was ever played in a known format: a 0-byte file would not be a WAV at all.
    if (!this.opened) unlinkSync(this.path)
  }

  private patchSizes(): void {
    if (this.fd === undefined) return
    const sizes = Buffer.alloc(4)
    sizes.writeUInt32LE(this.dataOffset - 8 + this.dataBytes, 0)
    writeSync(this.fd, sizes, 0, 4, 4)
    sizes.writeUInt32LE(this.dataBytes, 0)
    writeSync(this.fd, sizes, 0, 4, this.dataOffset - 4)
    this.bytesSincePatch = 0
  }
}

function findDataChunk(header: Uint8Array): number {
  for (let i = 12; i + 8 <= header.byteLength; i++) {
    if (header[i] === 0x64 && header[i + 1] === 0x61 && header[i + 2] === 0x74 && header[i + 3] === 0x61) return i
  }
  throw new Error('wavefile produced a header without a data chunk')
}
