// `--source device[:NAME]`: the show's audio captured from a sound card. The card's clock
// paces the show: each buffer is sent as the card delivers it.

import type { AudioFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { audioDevices, type AudioDeviceInfo, type CaptureStream } from './device/portaudio.js'
import { matchDevice } from './device/match.js'
import { PacketChunker } from './packet-chunker.js'
import { remix } from './remix.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class DeviceSource implements AudioSource {
  readonly needsPacing = false
  readonly description: string
  private readonly device: AudioDeviceInfo
  private stream: CaptureStream | undefined
  private readonly deviceChannels: number

  constructor(name: string | undefined, readonly format: SourceFormat, private readonly bufferFrames: number) {
    this.device = matchDevice(name, audioDevices().list(), 'input')
    if (this.device.inputChannels < 1) throw new UsageError('FORMAT_UNSUPPORTED', `audio device '${this.device.name}' has no inputs`)
    // A card with fewer inputs than the show's channels is up-mixed (a mono mic into a stereo show).
    this.deviceChannels = Math.min(format.channels, this.device.inputChannels)
    const mix = this.deviceChannels < format.channels ? `, up-mixed from ${this.deviceChannels} ch` : ''
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${bufferFrames}-frame buffer${mix})`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    const chunker = new PacketChunker(show, (pcm) => h.packet(pcm))
    try {
      this.stream = audioDevices().capture({ deviceId: this.device.id, rateHz: show.rateHz, channels: this.deviceChannels, format: show.format, framesPerBuffer: this.bufferFrames })
    } catch (err) {
      return h.end(new Error(`cannot open audio input '${this.device.name}': ${(err as Error).message} (busy, or ${show.rateHz} Hz ${show.format} not supported?)`))
    }
    // PortAudio hands over Buffers it does not reuse: chunking can keep views of them.
    const up = this.deviceChannels < show.channels
    this.stream.on('data', (chunk) => chunker.push(up ? Buffer.from(remix(chunk, show.format, this.deviceChannels, show.channels).buffer) : chunk))
    this.stream.on('error', (err) => h.end(new Error(`audio input '${this.device.name}' failed: ${err.message}`)))
    this.stream.start()
  }

  stop(): void {
    this.stream?.quit()
    this.stream = undefined
  }
}
