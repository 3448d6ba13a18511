// Records what the rig plays into a WAV file. The header comes from wavefile; we write
// the samples as they are played and patch the RIFF and data sizes in place: every
// second (so even a rig killed with SIGKILL leaves a file that opens) and on close.
//
// A recorder never destroys what it did not create (issue 14: a rig that never played
// deleted its sink path, so as root `wav:/dev/null` deleted /dev/null, and a symlink's target
// was truncated). The path is opened without following a symlink and must be a regular
// file; an existing file is emptied only when the first audio arrives, and a file is deleted
// at the end only if this sink created it, it is still the one at the path, and nothing played.

import { closeSync, constants, fstatSync, ftruncateSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs'
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
  /** This sink made the file (it did not exist): only then may it delete it. */
  private created = false
  /** The file's inode, so the path is deleted only while it is still this file. */
  private inode = 0

  constructor(readonly path: string) {
    this.description = `wav ${path}`
    // Opened now so a bad path fails before the rig connects.
    try {
      this.fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666)
      this.created = true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(path, err)
      try {
        // O_NONBLOCK: a FIFO without a reader must not hold the rig here (open(2) answers ENXIO).
        this.fd = openSync(path, constants.O_WRONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
      } catch (err2) {
        throw unwritable(path, err2)
      }
    }
    const stat = fstatSync(this.fd)
    if (!stat.isFile()) {
      closeSync(this.fd)
      this.fd = undefined
      throw new UsageError('SINK_UNWRITABLE', `cannot write ${path}: not a regular file (a WAV recording is a file of its own)`)
    }
    this.inode = stat.ino
  }

  open(format: SourceFormat): void {
    if (this.opened || this.fd === undefined) return
    const wav = new wavefile.WaveFile()
    wav.fromScratch(format.channels, format.rateHz, BIT_DEPTH[format.format], [])
    const header = wav.toBuffer()
    this.dataOffset = findDataChunk(header) + 8
    // A take recorded over: emptied now, when there is a new one to put there.
    if (!this.created) ftruncateSync(this.fd, 0)
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
    // Nothing was ever played in a known format: a 0-byte file this sink made would not be a
    // WAV at all. One that was there before is left as it was.
    if (!this.opened && this.created && this.stillOurs()) unlinkSync(this.path)
  }

  private stillOurs(): boolean {
    try {
      const now = lstatSync(this.path)
      return now.isFile() && now.ino === this.inode
    } catch {
      return false
    }
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

function unwritable(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code
  // O_NOFOLLOW on a symlink: ELOOP on Linux (open(2)).
  const why =
    code === 'ELOOP'
      ? 'a symbolic link (name the file itself)'
      : code === 'ENXIO'
        ? 'not a regular file (a WAV recording is a file of its own)'
        : describeFsError(err)
  return new UsageError('SINK_UNWRITABLE', `cannot write ${path}: ${why}`)
}

function findDataChunk(header: Uint8Array): number {
  for (let i = 12; i + 8 <= header.byteLength; i++) {
    if (header[i] === 0x64 && header[i + 1] === 0x61 && header[i + 2] === 0x74 && header[i + 3] === 0x61) return i
  }
  throw new Error('wavefile produced a header without a data chunk')
}
