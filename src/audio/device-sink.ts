// `--sink device[:NAME]`: a rig plays the show on a sound card.

import { audioDevices, type AudioDeviceInfo, type AudioDevices, type PlaybackStream } from './device/portaudio.js'
import { adjustByOneFrame, DriftController } from './drift.js'
import { bytesPerSample } from '../codec/format.js'
import { matchDevice } from './device/match.js'
import type { AudioSink, DeviceSinkStats } from './sink.js'
import type { SourceFormat } from './source.js'
import { remix } from './remix.js'

export class DeviceSink implements AudioSink {
  readonly description: string
  private readonly device: AudioDeviceInfo
  private stream: PlaybackStream | undefined
  /** A device that failed mid-show: the rig keeps its session and says so (once). */
  fault: string | undefined
  private format: SourceFormat | undefined
  private showChannels = 0
  private deviceChannels = 0

  private drift: DriftController | undefined
  private queuedFrames = 0
  /** The most frames that may wait for the card (open() sets it from the buffer size). */
  private maxQueuedFrames = 0
  private framesSkipped = 0

  constructor(
    name: string | undefined,
    private readonly bufferFrames: number,
    private readonly onFault: (reason: string) => void = () => {},
    private readonly devices: AudioDevices = audioDevices(),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.device = matchDevice(name, devices.list(), 'output')
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${bufferFrames}-frame buffer)`
  }

  /** Opened at the handshake, when the show's format is known. A device that cannot play it is a fault the rig reports, not a crash. */
  open(format: SourceFormat): void {
    // A card with fewer channels than the show gets a down-mix (stereo show on a mono speaker).
    this.showChannels = format.channels
    this.deviceChannels = Math.min(format.channels, this.device.outputChannels)
    this.format = format
    // A card plays live: a burst (the jitter buffer giving up depth, a stall catching up) must
    // not become latency in its queue. What would queue beyond eight card buffers (at least
    // 21 ms: the playout's timer ticks are not the card's) is skipped.
    this.maxQueuedFrames = Math.max(8 * this.bufferFrames, 1024)
    try {
      this.drift = new DriftController(format.rateHz)
      this.stream = this.devices.playback({ deviceId: this.device.id, rateHz: format.rateHz, channels: this.deviceChannels, format: format.format, framesPerBuffer: this.bufferFrames })
      this.stream.on('error', (err) => this.failed(`audio output '${this.device.name}' failed: ${err.message}`))
      this.stream.start()
    } catch (err) {
      this.stream = undefined
      this.failed(`cannot open audio output '${this.device.name}': ${(err as Error).message} (busy, or ${format.rateHz} Hz ${format.format} not supported?)`)
    }
  }

  private failed(reason: string): void {
    if (this.fault !== undefined) return
    this.fault = reason
    this.onFault(reason)
  }

  /**
   * The playout writes at the show's rate; the card takes frames at its own. What waits in
   * between is watched, and a frame is dropped or repeated when the card's clock has
   * carried it away from where it settled (DriftController).
   */
  write(pcm: Uint8Array): void {
    if (!this.stream || !this.format || !this.drift) return
    const now = this.now()
    const sampleBytes = bytesPerSample(this.format.format)
    const showFrameBytes = sampleBytes * this.showChannels
    const room = this.maxQueuedFrames - this.queuedFrames
    if (room <= 0) {
      this.framesSkipped += pcm.byteLength / showFrameBytes
      return
    }
    if (pcm.byteLength / showFrameBytes > room) {
      this.framesSkipped += pcm.byteLength / showFrameBytes - room
      pcm = pcm.subarray(pcm.byteLength - room * showFrameBytes) // keep the newest
    }
    const fix = this.drift.correction(now)
    const fixed = fix === 0 ? pcm : adjustByOneFrame(pcm, showFrameBytes, sampleBytes, fix)
    // PortAudio keeps a reference until the card has played it: it gets a buffer of its own.
    const out = this.deviceChannels === this.showChannels ? Buffer.from(fixed) : Buffer.from(remix(fixed, this.format.format, this.showChannels, this.deviceChannels).buffer)
    const frames = out.byteLength / (sampleBytes * this.deviceChannels)
    this.queuedFrames += frames
    this.drift.observe(this.queuedFrames, now)
    const drift = this.drift
    this.stream.write(out, () => {
      this.queuedFrames -= frames
      drift.consumed(frames, this.now())
    })
  }

  deviceStats(): DeviceSinkStats | undefined {
    if (!this.drift) return undefined
    return { ...this.drift.stats, queuedFrames: this.queuedFrames, framesSkipped: this.framesSkipped, fault: this.fault ?? null }
  }

  async close(): Promise<void> {
    const s = this.stream
    this.stream = undefined
    if (s) await new Promise<void>((r) => s.quit(() => r()))
  }
}
