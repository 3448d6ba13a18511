// `--sink device[:NAME]`: a rig plays the show on a sound card.

import { audioDevices, type AudioDeviceInfo, type PlaybackStream } from './device/portaudio.js'
import { matchDevice } from './device/match.js'
import type { AudioSink } from './sink.js'
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

  constructor(name: string | undefined, private readonly bufferFrames: number, private readonly onFault: (reason: string) => void = () => {}) {
    this.device = matchDevice(name, audioDevices().list(), 'output')
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${bufferFrames}-frame buffer)`
  }

  /** Opened at the handshake, when the show's format is known. A device that cannot play it is a fault the rig reports, not a crash. */
  open(format: SourceFormat): void {
    // A card with fewer channels than the show gets a down-mix (stereo show on a mono speaker).
    this.showChannels = format.channels
    this.deviceChannels = Math.min(format.channels, this.device.outputChannels)
    this.format = format
    try {
      this.stream = audioDevices().playback({ deviceId: this.device.id, rateHz: format.rateHz, channels: this.deviceChannels, format: format.format, framesPerBuffer: this.bufferFrames })
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

  write(pcm: Uint8Array): void {
    if (!this.stream || !this.format) return
    // PortAudio keeps a reference until the card has played it: it gets a buffer of its own.
    const out = this.deviceChannels === this.showChannels ? Buffer.from(pcm) : Buffer.from(remix(pcm, this.format.format, this.showChannels, this.deviceChannels).buffer)
    this.stream.write(out)
  }

  async close(): Promise<void> {
    const s = this.stream
    this.stream = undefined
    if (s) await new Promise<void>((r) => s.quit(() => r()))
  }
}
