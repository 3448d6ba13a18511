// A sound card as naudiodon2 and PortAudio play one (node_modules/naudiodon2/src/PaContext.cc,
// Chunks.h), on a manual clock: written chunks wait in the host (a Node Writable), enter a
// queue of QUEUE_CHUNKS, and a write's `taken` runs when its chunk enters that queue. A
// callback every `bufferFrames` frames of the card's own clock takes frames from the queue
// in order; the frames of a callback leave the DAC `latencyMs` after it. With nothing to
// take, the callback waits for the next chunk (naudiodon2 never plays silence): the card
// stalls. Every frame played is recorded with its DAC time, so a test can read when each
// sample left.

import type { Clock } from '../../src/clock.js'
import { QUEUE_CHUNKS } from '../../src/audio/device/card-position.js'
import { TimedWrites } from '../../src/audio/device/timed-writes.js'
import type { AudioDeviceInfo, AudioDevices, PlaybackStream } from '../../src/audio/device/portaudio.js'
import type { ManualClock } from './manual-clock.js'

export interface SimulatedCardOptions {
  rateHz?: number
  /** Frames per callback (PortAudio's framesPerBuffer). */
  bufferFrames?: number
  /** From a callback to its frames leaving the DAC, ms (the device's suggested latency reports this). */
  latencyMs?: number
  /** The card's clock against nominal, ppm (+: fast). */
  ppm?: number
  /** Bytes per frame as written. */
  frameBytes?: number
  /** Delay of the host's stamp after the callback, ms (a thread hop); none by default. */
  hostDelayMs?: () => number
  /** The card stops for `forMs` at `atMs` (an xrun, a busy bus): its frames leave that much later. */
  stall?: { atMs: number; forMs: number }
  /** Stamp the taken time (a device host does); without, the sink reads its own clock. */
  stamps?: boolean
  /** Hold each write until its writeAtMs, as a device host does (src/audio/device/timed-writes.ts). */
  timedWrites?: boolean
}

export interface PlayedChunk {
  bytes: Uint8Array
  /** When its first frame left the DAC. */
  dacMs: number
}

export class SimulatedCard {
  readonly info: AudioDeviceInfo
  readonly devices: AudioDevices
  /** What left the DAC, callback by callback (each callback's frames, in order). */
  readonly played: PlayedChunk[] = []
  /** Times the callback had to wait for frames once playing: the card stalled. */
  underruns = 0
  private readonly rateHz: number
  private readonly bufferFrames: number
  private readonly frameBytes: number

  constructor(
    clock: ManualClock,
    private readonly o: SimulatedCardOptions = {},
  ) {
    this.rateHz = o.rateHz ?? 48000
    this.bufferFrames = o.bufferFrames ?? 128
    this.frameBytes = o.frameBytes ?? 4
    this.info = {
      id: 0,
      name: 'sim',
      hostApi: 'test',
      inputChannels: 0,
      outputChannels: 2,
      defaultRateHz: this.rateHz,
      defaultLowInputLatencyMs: 0,
      defaultLowOutputLatencyMs: o.latencyMs ?? 5,
    }
    this.devices = {
      ...(o.timedWrites ? { timedWrites: true } : {}),
      list: () => [this.info],
      capture: () => {
        throw new Error('no capture')
      },
      playback: () => this.stream(clock),
    }
  }

  /** The card's period, ms, at its own rate. */
  get periodMs(): number {
    return (this.bufferFrames / (this.rateHz * (1 + (this.o.ppm ?? 0) / 1e6))) * 1000
  }

  private stream(clock: Clock): PlaybackStream {
    const pending: Array<{ bytes: Uint8Array; taken?: ((atMs?: number) => void) | undefined }> = []
    const queue: Uint8Array[] = []
    let current: Uint8Array | undefined
    let offset = 0
    let started = false
    let waiting = false
    let stalled = false
    const stamp = () => clock.now() + (this.o.hostDelayMs?.() ?? 0)
    // The host's Writable hands one chunk at a time to naudiodon2, which waits while the queue is full.
    const admit = () => {
      while (pending.length && queue.length < QUEUE_CHUNKS) {
        const p = pending.shift()!
        queue.push(p.bytes)
        const at = stamp()
        p.taken?.(this.o.stamps === false ? undefined : at)
      }
    }
    // The buffer the callback is filling: a callback that waits for data resumes it (the grid of B frames never moves).
    let out: Uint8Array | undefined
    let filled = 0
    const callback = () => {
      if (this.o.stall && !stalled && clock.now() >= this.o.stall.atMs) {
        stalled = true
        clock.setTimeout(callback, this.o.stall.forMs)
        return
      }
      const want = this.bufferFrames * this.frameBytes
      out ??= new Uint8Array(want)
      while (filled < want) {
        if (!current || offset === current.byteLength) {
          current = queue.shift()
          offset = 0
          admit()
          if (!current) {
            // naudiodon2 waits for the next chunk inside the callback: the card stalls until it comes.
            if (this.played.length > 0) this.underruns++ // not the wait for the first chunks
            waiting = true
            return
          }
        }
        const n = Math.min(want - filled, current.byteLength - offset)
        out.set(current.subarray(offset, offset + n), filled)
        filled += n
        offset += n
      }
      this.played.push({ bytes: out, dacMs: clock.now() + (this.o.latencyMs ?? 5) })
      out = undefined
      filled = 0
      clock.setTimeout(callback, this.periodMs)
    }
    // What a device host does with writes given a time: the same code.
    const takenInOrder: Array<((atMs?: number) => void) | undefined> = []
    const timed = new TimedWrites(clock, (bytes) => toCard(bytes, takenInOrder.shift()))
    const toCard = (bytes: Uint8Array, taken: ((atMs?: number) => void) | undefined) => {
      pending.push({ bytes, taken })
      admit()
      if (waiting) {
        waiting = false
        clock.setTimeout(callback, 0)
      }
      if (!started) {
        started = true
        clock.setTimeout(callback, 0)
      }
    }
    const s: PlaybackStream = {
      write: (bytes, taken, writeAtMs) => {
        if (!this.o.timedWrites) {
          toCard(bytes, taken)
          return true
        }
        takenInOrder.push(taken)
        timed.push(bytes, writeAtMs)
        return true
      },
      on: () => s,
      start: () => {},
      quit: (cb) => cb?.(),
    }
    return s
  }
}

/** `frames` frames whose 4 bytes each are their index, from `from` on: a test can tell which frame left when. */
export function numberedFrames(from: number, frames: number): Uint8Array {
  const out = new Uint8Array(frames * 4)
  const v = new DataView(out.buffer)
  for (let i = 0; i < frames; i++) v.setUint32(i * 4, from + i, true)
  return out
}

/** When each numbered frame left the DAC (index -> ms), from what the card played. */
export function departures(played: readonly PlayedChunk[], rateHz = 48000): Map<number, number> {
  const at = new Map<number, number>()
  for (const p of played) {
    const v = new DataView(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength)
    for (let i = 0; i < p.bytes.byteLength / 4; i++) {
      const n = v.getUint32(i * 4, true)
      if (!at.has(n)) at.set(n, p.dacMs + (i / rateHz) * 1000)
    }
  }
  return at
}
