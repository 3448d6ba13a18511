// `--sink device[:NAME]`: a rig plays the show on a sound card.
// - Opened in the show's format, or the nearest the card takes (device/negotiate.ts), the
//   difference bridged (channels, sample format, rate: device/format-bridge.ts).
// - The card's clock is followed by dropping or repeating single frames (drift.ts); a card
//   that stalls does not turn the stall into latency (at most eight buffers wait for it).
// - A card that fails or stops taking audio mid-show is a fault the rig reports while its
//   session goes on; the device is reopened (by name, it may come back with another id)
//   once a second until it plays again.

import type { AudioDeviceInfo, AudioDevices, PlaybackStream, StreamOptions } from './device/portaudio.js'
import { DeviceError } from '../errors.js'
import { audioDevices } from './device/isolated.js'
import { adjustByOneFrame, DriftController } from './drift.js'
import { bytesPerSample } from '../codec/format.js'
import { matchDevice } from './device/match.js'
import { describeConversion, openNegotiated, type CardFormat } from './device/negotiate.js'
import { FormatBridge } from './device/format-bridge.js'
import { Reopener } from './device/reopener.js'
import { bufferFrames, describeBuffer } from './device/buffer-size.js'
import type { CardOptions } from './device/card-options.js'
import type { AudioSink, DeviceSinkStats } from './sink.js'
import type { SourceFormat } from './source.js'

/** A card that took nothing for this long while audio waited is lost. */
const STALL_MS = 1000

export interface DeviceSinkOptions extends CardOptions {
  /** The card is open and running: from now on what the rig plays is heard. */
  onStarted?: (description: string) => void
}

export class DeviceSink implements AudioSink {
  readonly description: string
  private device: AudioDeviceInfo
  private readonly devices: AudioDevices
  private stream: PlaybackStream | undefined
  private bridge: FormatBridge | undefined
  private conversion: string | null = null
  /** A device that failed mid-show: the rig keeps its session and says so (once per failure). */
  fault: string | undefined
  private format: SourceFormat | undefined
  private showFrameBytes = 0
  private cardFrameBytes = 0
  private drift: DriftController | undefined
  private queuedFrames = 0
  /** The most frames that may wait for the card: eight buffers, at least 1024 (21 ms: the playout's timer ticks are not the card's). Set at open. */
  private maxQueuedFrames = 1024
  private framesSkipped = 0
  private reopens = 0
  /** Corrections made on the card before a reopen (its drift is measured anew). */
  private carried = { framesInserted: 0, framesDropped: 0 }
  private lastTakenMs = 0
  private readonly reopener: Reopener

  constructor(private readonly o: DeviceSinkOptions) {
    this.devices = o.devices ?? audioDevices()
    this.reopener = new Reopener(() => this.reopen(), o.clock)
    this.device = matchDevice(o.name, this.devices.list(), 'output')
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${describeBuffer(o.buffer)})`
    // The card opens at the handshake; have its host loaded by then.
    this.devices.prepare?.()
  }

  /** Opened at the handshake, when the show's format is known. A device that cannot play it is a fault the rig reports, not a crash. */
  open(format: SourceFormat): void {
    this.format = format
    this.showFrameBytes = bytesPerSample(format.format) * format.channels
    try {
      this.openStream()
    } catch (err) {
      this.failed(`cannot open audio output '${this.device.name}': ${(err as Error).message}`)
      // A format the card refuses will not change by retrying; a busy or missing card may.
      if (!(err instanceof DeviceError && err.code === 'FORMAT_UNSUPPORTED')) this.reopener.schedule()
    }
  }

  private openStream(): void {
    const format = this.format!
    // A card with fewer channels than the show gets a down-mix (stereo show on a mono speaker).
    const channels = Math.min(format.channels, this.device.outputChannels)
    const options = (c: CardFormat): StreamOptions => ({
      deviceId: this.device.id,
      rateHz: c.rateHz,
      channels,
      format: c.format,
      framesPerBuffer: bufferFrames(this.o.buffer, c.rateHz),
    })
    const probe = this.devices.probe
    const { stream, card } = openNegotiated(
      (c) => this.devices.playback(options(c)),
      format,
      this.device,
      'output',
      this.o.bitExact ?? false,
      probe && ((cards) => probe('output', cards.map(options))),
    )
    this.bridge?.destroy()
    this.bridge = new FormatBridge(format, { ...card, channels })
    this.conversion = describeConversion(format, card, 'output')
    if (channels < format.channels)
      this.conversion = `${this.conversion ? `${this.conversion}, ` : ''}${format.channels} ch down-mixed to ${channels}`
    this.cardFrameBytes = bytesPerSample(card.format) * channels
    this.maxQueuedFrames = Math.max(8 * bufferFrames(this.o.buffer, card.rateHz), 1024)
    if (this.drift) {
      this.carried.framesInserted += this.drift.stats.framesInserted
      this.carried.framesDropped += this.drift.stats.framesDropped
    }
    this.drift = new DriftController(card.rateHz)
    this.queuedFrames = 0
    this.lastTakenMs = this.o.clock.now()
    this.stream = stream
    stream.on('error', (err) => this.lost(stream, `audio output '${this.device.name}' failed: ${err.message}`))
    stream.on('started', () => {
      this.lastTakenMs = this.o.clock.now()
      this.o.onStarted?.(`audio output '${this.device.name}' is playing${this.conversion ? ` (${this.conversion})` : ''}`)
    })
    stream.start()
  }

  private failed(reason: string): void {
    if (this.fault !== undefined) return
    this.fault = reason
    this.o.onFault?.(reason)
  }

  /**
   * The card went away mid-show: try again every second. The old stream is abandoned (its
   * device host killed), not closed: naudiodon2's quit waits for the card to play what it
   * was given, which a dead card never does.
   */
  private lost(stream: PlaybackStream, reason: string): void {
    if (stream !== this.stream) return
    this.stream = undefined
    stream.abandon?.()
    this.devices.prepare?.()
    this.failed(reason)
    this.reopener.schedule()
  }

  /** By name: a USB card plugged back in comes back with another id. */
  private reopen(): void {
    if (this.stream) return
    this.device = matchDevice(this.device.name, this.devices.list(), 'output')
    this.openStream()
    this.reopens++
    this.fault = undefined
    this.o.onRestored?.(`audio output '${this.device.name}' is back${this.conversion ? ` (${this.conversion})` : ''}`)
  }

  /**
   * The playout writes at the show's rate; the card takes frames at its own. What waits in
   * between is watched, and a frame is dropped or repeated when the card's clock has
   * carried it away from where it settled (DriftController).
   */
  write(pcm: Uint8Array): void {
    const stream = this.stream
    if (!stream || !this.format || !this.drift || !this.bridge) return
    const now = this.o.clock.now()

    const frames = pcm.byteLength / this.showFrameBytes
    if (this.queuedFrames > 0 && now - this.lastTakenMs > STALL_MS) {
      return this.lost(
        stream,
        `audio output '${this.device.name}' stopped taking audio for ${STALL_MS} ms (unplugged, or its driver stalled)`,
      )
    }
    // Room, in show frames (near enough when resampling: the bound is a bound, not a target).
    const room = this.maxQueuedFrames - this.queuedFrames
    if (room <= 0) {
      this.framesSkipped += frames
      this.drift.disturbed(now)
      return
    }
    if (frames > room) {
      this.framesSkipped += frames - room
      this.drift.disturbed(now)
      pcm = pcm.subarray(pcm.byteLength - room * this.showFrameBytes) // keep the newest
    }
    const fix = this.drift.correction(now)
    const fixed = fix === 0 ? pcm : adjustByOneFrame(pcm, this.showFrameBytes, bytesPerSample(this.format.format), fix)
    // PortAudio keeps a reference until the card has played it: the bridge gives a buffer of its own.
    const out = this.bridge.convert(fixed)
    const cardFrames = out.byteLength / this.cardFrameBytes
    if (cardFrames === 0) {
      this.framesSkipped += frames // the resampler is still loading (the first few ms)
      return
    }
    this.queuedFrames += cardFrames
    this.drift.observe(this.queuedFrames, now)
    const drift = this.drift
    stream.write(out, () => {
      if (stream !== this.stream) return
      this.queuedFrames -= cardFrames
      this.lastTakenMs = this.o.clock.now()
      drift.consumed(cardFrames, this.lastTakenMs)
    })
  }

  deviceStats(): DeviceSinkStats | undefined {
    if (!this.format) return undefined
    const d = this.drift?.stats ?? { driftPpm: 0, framesInserted: 0, framesDropped: 0 }
    return {
      driftPpm: d.driftPpm,
      framesInserted: d.framesInserted + this.carried.framesInserted,
      framesDropped: d.framesDropped + this.carried.framesDropped,
      queuedFrames: this.queuedFrames,
      framesSkipped: this.framesSkipped,
      conversion: this.conversion,
      reopens: this.reopens,
      fault: this.fault ?? null,
    }
  }

  async close(): Promise<void> {
    this.reopener.stop()
    const s = this.stream
    this.stream = undefined
    this.bridge?.destroy()
    // The host lets the card play what it was given, and is killed if that takes over a second.
    if (s) await new Promise<void>((r) => s.quit(() => r()))
  }
}
