// A file's audio read from disk ahead of the pacer, in bounded memory: a ring of a few
// fixed buffers, each refilled by an asynchronous read (libuv's thread pool, never the event
// loop) as soon as the pacer has emptied it. The pacer only copies out of buffers already
// full, so it never waits on the disk; memory is the ring's, whatever the file's size.

import { close, read } from 'node:fs'
import type { Convert } from './wav-conversion.js'

/**
 * Half a second per buffer, four buffers: two seconds read ahead. A read of half a second of
 * audio is one request to the disk (96 KB at 48 kHz 16-bit stereo, 6 MB at 192 kHz 8-channel
 * 64-bit float); two seconds outlast any pause of a healthy disk by far.
 */
export const READ_AHEAD_BUFFER_MS = 500
export const READ_AHEAD_BUFFERS = 4

/** Reads into `into` at `position` of the file; resolves with the bytes read (0 at its end). */
export type ReadFile = (into: Uint8Array, position: number) => Promise<number>

/** fs.read and fs.close on an open file, as a ReadFile and its close. */
export function fileReader(fd: number): { read: ReadFile; close: () => void } {
  return {
    read: (into, position) =>
      new Promise((resolve, reject) => read(fd, into, 0, into.byteLength, position, (err, bytes) => (err ? reject(err) : resolve(bytes)))),
    close: () => close(fd, () => {}),
  }
}

export interface ReadAheadOptions {
  /** How the file is read (fileReader: fs.read, on libuv's thread pool). */
  read: ReadFile
  /** Closes the file: called once, by close() or once the last byte is read, never while a read is under way. */
  close: () => void
  /** Where the audio starts in the file, and how many bytes of it to play (whole frames). */
  startByte: number
  lengthBytes: number
  /** Bytes of one frame in the file, and in the show's format. */
  fileFrameBytes: number
  showFrameBytes: number
  /** null: the file's bytes are the show's. */
  convert: Convert | null
  /** Frames each buffer holds. */
  bufferFrames: number
  /** Buffers in the ring: the read-ahead is buffers x bufferFrames. */
  buffers: number
}

/** The most file bytes converted in one turn of the event loop (see convert()). */
const CONVERT_SLICE_BYTES = 32 * 1024

interface Slot {
  pcm: Uint8Array
  /** Show bytes it holds, and how many of them were taken. */
  filled: number
  taken: number
}

export class FileReadAhead {
  private readonly slots: Slot[]
  /** The file's bytes before conversion (one buffer's worth), reused for every read. */
  private readonly fileBytes: Uint8Array | undefined
  private head = 0
  private tail = 0
  private full = 0
  private bytesRead = 0
  private lengthBytes: number
  private framesTaken = 0
  private reading = false
  private closed = false
  private fileClosed = false
  private failure: Error | undefined
  private waiters: Array<() => void> = []
  private readyWaiters: Array<() => void> = []

  constructor(private readonly o: ReadAheadOptions) {
    this.lengthBytes = o.lengthBytes
    this.slots = Array.from({ length: o.buffers }, () => ({ pcm: new Uint8Array(o.bufferFrames * o.showFrameBytes), filled: 0, taken: 0 }))
    if (o.convert) this.fileBytes = new Uint8Array(o.bufferFrames * o.fileFrameBytes)
    void this.fill()
  }

  /** Frames of the file still to be taken (it shrinks if the file turns out shorter than its size said). */
  get framesLeft(): number {
    return this.lengthBytes / this.o.fileFrameBytes - this.framesTaken
  }

  /** A read that failed (the disk, the file removed under it): the source ends with it. */
  get error(): Error | undefined {
    return this.failure
  }

  /** Bytes the ring holds, whatever the file's size. */
  get capacityBytes(): number {
    return this.slots.length * (this.slots[0]?.pcm.byteLength ?? 0) + (this.fileBytes?.byteLength ?? 0)
  }

  /**
   * A copy of the next `frames` frames in the show's format (fewer at the end of the file;
   * empty once it is over), or null when the disk has not delivered them yet.
   */
  take(frames: number): Uint8Array | null {
    const want = Math.min(frames, this.framesLeft) * this.o.showFrameBytes
    if (want <= 0) return new Uint8Array(0)
    let available = 0
    for (let i = 0, s = this.head; i < this.full; i++, s = (s + 1) % this.slots.length) {
      const slot = this.slots[s]!
      available += slot.filled - slot.taken
    }
    if (available < want) {
      void this.fill()
      return null
    }
    const out = new Uint8Array(want)
    let at = 0
    while (at < want) {
      const slot = this.slots[this.head]!
      const n = Math.min(want - at, slot.filled - slot.taken)
      out.set(slot.pcm.subarray(slot.taken, slot.taken + n), at)
      slot.taken += n
      at += n
      if (slot.taken === slot.filled) {
        this.head = (this.head + 1) % this.slots.length
        this.full--
      }
    }
    this.framesTaken += want / this.o.showFrameBytes
    void this.fill()
    return out
  }

  /** Whether the next frames can be taken now (or the file is over). */
  get ready(): boolean {
    return this.full > 0 || this.framesLeft <= 0 || this.failure !== undefined
  }

  /** Resolves once the next frames can be taken (the first buffer landed, or the file is over). */
  whenReady(): Promise<void> {
    if (this.ready || !this.reading) return Promise.resolve()
    return new Promise((resolve) => this.readyWaiters.push(resolve))
  }

  /** Resolves once no read is under way and the ring is full (or the file all read): tests pace between these. */
  whenIdle(): Promise<void> {
    if (!this.reading) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Stops reading and closes the file (after a read under way, so its descriptor is never reused under it). */
  close(): void {
    this.closed = true
    if (!this.reading) this.closeFile()
  }

  private async fill(): Promise<void> {
    if (this.reading || this.closed || this.failure) return
    this.reading = true
    try {
      while (!this.closed && this.full < this.slots.length && this.bytesRead < this.lengthBytes) {
        const slot = this.slots[this.tail]!
        const want = Math.min(this.o.bufferFrames * this.o.fileFrameBytes, this.lengthBytes - this.bytesRead)
        const into = this.fileBytes ?? slot.pcm
        const got = await readFully(this.o.read, into.subarray(0, want), this.o.startByte + this.bytesRead)
        if (this.closed) break
        const frames = Math.floor(got / this.o.fileFrameBytes)
        // A file cut while it plays: what is there is the end.
        if (got < want) this.lengthBytes = this.bytesRead + frames * this.o.fileFrameBytes
        this.bytesRead += frames * this.o.fileFrameBytes
        if (frames === 0) break
        if (this.o.convert && this.fileBytes) await this.convert(this.o.convert, this.fileBytes, slot.pcm, frames)
        if (this.closed) break
        slot.filled = frames * this.o.showFrameBytes
        slot.taken = 0
        this.tail = (this.tail + 1) % this.slots.length
        this.full++
        for (const w of this.readyWaiters.splice(0)) w()
      }
    } catch (err) {
      this.failure = err as Error
    } finally {
      this.reading = false
      if (this.closed || this.failure || this.bytesRead >= this.lengthBytes) this.closeFile()
      for (const w of [...this.readyWaiters.splice(0), ...this.waiters.splice(0)]) w()
    }
  }

  /**
   * Converts in slices of CONVERT_SLICE_BYTES, letting the event loop run between them: a
   * whole buffer at once is up to 30 ms of one core (RIFX 24-bit, 192 kHz, 8 channels: 29.5 ms
   * measured on the 2-core test machine), longer than a show's 20 ms latency; a slice is
   * under half a millisecond.
   */
  private async convert(convert: Convert, from: Uint8Array, into: Uint8Array, frames: number): Promise<void> {
    const { fileFrameBytes, showFrameBytes } = this.o
    const step = Math.max(1, Math.floor(CONVERT_SLICE_BYTES / fileFrameBytes))
    for (let f = 0; f < frames && !this.closed; f += step) {
      if (f > 0) await new Promise((resolve) => setImmediate(resolve))
      const n = Math.min(step, frames - f)
      convert(from.subarray(f * fileFrameBytes, (f + n) * fileFrameBytes), into.subarray(f * showFrameBytes, (f + n) * showFrameBytes))
    }
  }

  private closeFile(): void {
    if (this.fileClosed) return
    this.fileClosed = true
    this.o.close()
  }
}

/** Reads until `into` is full or the file ends; returns the bytes read. */
async function readFully(read: ReadFile, into: Uint8Array, position: number): Promise<number> {
  let got = 0
  while (got < into.byteLength) {
    const n = await read(into.subarray(got), position + got)
    if (n === 0) break
    got += n
  }
  return got
}
