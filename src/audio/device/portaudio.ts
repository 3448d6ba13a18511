// Sound cards through PortAudio (naudiodon2), loaded only when a device is asked for, so
// Synchro installs and runs with files, tones and pipes where the native module cannot
// build. Everything else in Synchro sees the AudioDevices interface below. This in-process
// layer runs inside the device host (host.ts); Synchro itself reaches it through
// isolated.ts, in a child process of its own.

import { createRequire } from 'node:module'
import { DeviceError } from '../../errors.js'
import { bytesPerFrame, type SampleFormat } from '../../codec/format.js'
import { QUEUE_CHUNKS } from './card-position.js'
import type { NativeFormats } from './native-formats.js'

export interface AudioDeviceInfo {
  id: number
  name: string
  hostApi: string
  inputChannels: number
  outputChannels: number
  defaultRateHz: number
  /** PortAudio's suggested latencies, ms. */
  defaultLowInputLatencyMs: number
  defaultLowOutputLatencyMs: number
  /** With list({ rates: true }): the standard rates each direction opened at (a probe: slow, it opens the card). */
  supportedRatesHz?: { input: number[]; output: number[] }
}

export interface StreamOptions {
  deviceId: number
  rateHz: number
  channels: number
  format: SampleFormat
  /** The device's buffer, frames (--device-buffer). */
  framesPerBuffer: number
}

export interface CaptureStream {
  on(event: 'data', fn: (chunk: Buffer) => void): this
  on(event: 'error', fn: (err: Error) => void): this
  /** 'started': the card is open and running (a stream in a device host opens asynchronously). */
  on(event: 'started', fn: () => void): this
  start(): void
  quit(cb?: () => void): void
  /** Ends a stream whose card is gone without waiting for it. */
  abandon?(): void
}

export interface PlaybackStream {
  /**
   * `taken` runs when PortAudio has taken the chunk into its queue (card-position.ts says
   * what that tells of the card). `atMs`: when that happened on the rig's clock
   * (performance.now()), stamped where it happened (the device host), so a stall of the
   * rig's event loop does not move it; absent where nobody stamped it. `writeAtMs` (the rig's
   * clock): a device host holds the chunk until then and writes it to PortAudio at that time
   * (timed-writes.ts), so frames can be handed over early; an in-process stream writes at once.
   */
  write(chunk: Uint8Array, taken?: (atMs?: number) => void, writeAtMs?: number): boolean
  on(event: 'error', fn: (err: Error) => void): this
  /** 'started': the card is open and running (a stream in a device host opens asynchronously). */
  on(event: 'started', fn: () => void): this
  start(): void
  quit(cb?: () => void): void
  /** Ends a stream whose card is gone without waiting for it (a quit would wait forever). */
  abandon?(): void
}

export interface AudioDevices {
  list(o?: { rates?: boolean }): AudioDeviceInfo[]
  /**
   * Where opening cannot throw at once (a device host opens asynchronously): tries the
   * candidates in order and says which is the first the card opens, and why each before it was refused.
   */
  probe?(direction: 'input' | 'output', candidates: StreamOptions[]): { index: number; errors: string[] }
  /** list(), off the event loop (a device host answers): what a rig uses, which must go on answering its server meanwhile. */
  listAsync?(o?: { rates?: boolean }): Promise<AudioDeviceInfo[]>
  /** probe(), off the event loop. */
  probeAsync?(direction: 'input' | 'output', candidates: StreamOptions[]): Promise<{ index: number; errors: string[] }>
  /** Its streams hold a write until its writeAtMs (a device host does, timed-writes.ts): frames can be handed over ahead of their time. */
  readonly timedWrites?: boolean
  /** Gets ready to open a stream soon (starts a device host ahead of time). */
  prepare?(): void
  /**
   * The sample formats the card itself takes in `direction` (native-formats.ts), or
   * undefined where that cannot be asked: opened in another, PortAudio converts unseen.
   */
  nativeFormats?(device: AudioDeviceInfo, direction: 'input' | 'output'): NativeFormats | undefined
  /** nativeFormats off the event loop. */
  nativeFormatsAsync?(device: AudioDeviceInfo, direction: 'input' | 'output'): Promise<NativeFormats | undefined>
  capture(o: StreamOptions): CaptureStream
  playback(o: StreamOptions): PlaybackStream
}

interface Naudiodon {
  getDevices(): Array<{
    id: number
    name: string
    hostAPIName: string
    maxInputChannels: number
    maxOutputChannels: number
    defaultSampleRate: number
    defaultLowInputLatency: number
    defaultLowOutputLatency: number
  }>
  AudioIO(o: { inOptions?: object; outOptions?: object }): CaptureStream & PlaybackStream
  SampleFormat16Bit: number
  SampleFormat24Bit: number
  SampleFormatFloat32: number
}

const require = createRequire(import.meta.url)
let loaded: AudioDevices | undefined

/** The PortAudio device layer in this process, or one line saying why there is none. */
export function inProcessAudioDevices(): AudioDevices {
  if (loaded) return loaded
  let pa: Naudiodon
  try {
    pa = require('naudiodon2') as Naudiodon
  } catch (err) {
    throw new DeviceError(
      'NO_AUDIO_SYSTEM',
      `sound cards need the naudiodon2 package (PortAudio), which is not installed or did not build here (${(err as Error).message.split('\n')[0]}); use tone, wav: or raw: sources and wav: or raw: sinks`,
    )
  }
  const paFormat = (f: SampleFormat): number =>
    f === 's16le' ? pa.SampleFormat16Bit : f === 's24le' ? pa.SampleFormat24Bit : pa.SampleFormatFloat32
  const options = (o: StreamOptions) => ({
    deviceId: o.deviceId,
    sampleRate: o.rateHz,
    channelCount: o.channels,
    sampleFormat: paFormat(o.format),
    framesPerBuffer: o.framesPerBuffer,
    closeOnError: false,
    // How many written chunks wait inside naudiodon2: card-position.ts relies on it.
    maxQueue: QUEUE_CHUNKS,
  })
  loaded = {
    list: () =>
      pa.getDevices().map((d) => ({
        id: d.id,
        name: d.name,
        hostApi: d.hostAPIName,
        inputChannels: d.maxInputChannels,
        outputChannels: d.maxOutputChannels,
        defaultRateHz: d.defaultSampleRate,
        defaultLowInputLatencyMs: round(d.defaultLowInputLatency * 1000),
        defaultLowOutputLatencyMs: round(d.defaultLowOutputLatency * 1000),
      })),
    capture: (o) => pa.AudioIO({ inOptions: { ...options(o), ...captureOptions(o) } }),
    playback: (o) => pa.AudioIO({ outOptions: options(o) }),
  }
  return loaded
}

/**
 * How a capture stream is read (node_modules/naudiodon2/index.js, src/PaContext.cc).
 * naudiodon2's Readable reads `highwaterMark` bytes at a time (16,384 by default: 4,096
 * frames of s16 stereo, 85 ms) and a read waits until all of them are in: the first data
 * came ~85 ms after the card started, and every buffer waited for 31 more. One card buffer
 * per read hands each over as the card delivers it. Captured buffers wait in a queue of
 * `maxQueue`, and PortAudio's callback blocks while it is full (ChunkQueue::enqueue): at the
 * playback side's 4 (10.7 ms of 128 frames) any stall of the host's event loop longer than
 * that would hold the card and lose what it captured meanwhile, so capture's queue holds
 * CAPTURE_QUEUE_MS of buffers; a queue that is read on time stays empty.
 */
function captureOptions(o: StreamOptions): { highwaterMark: number; maxQueue: number } {
  return {
    highwaterMark: o.framesPerBuffer * bytesPerFrame(o),
    maxQueue: Math.max(QUEUE_CHUNKS, Math.ceil((CAPTURE_QUEUE_MS / 1000) * (o.rateHz / o.framesPerBuffer))),
  }
}

/** What a capture stream's queue holds before the card waits: more than a loaded machine's stalls of the host (JACK's client timeout in the tests is 4 s; stalls seen here stay under 1 s). */
export const CAPTURE_QUEUE_MS = 2000

function round(ms: number): number {
  return Math.round(ms * 100) / 100
}
