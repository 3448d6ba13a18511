// `--source device[:NAME]`: the show's audio captured from a sound card. The card's clock
// paces the show: each buffer is sent as the card delivers it.

import type { AudioFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { audioDevices, type AudioDeviceInfo, type CaptureStream } from './device/portaudio.js'
import { matchDevice } from './device/match.js'
import { PacketChunker } from './packet-chunker.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class DeviceSource implements AudioSource {
  readonly needsPacing = false
  readonly description: string
  private readonly device: AudioDeviceInfo
  private stream: CaptureStream | undefined

  constructor(name: string | undefined, readonly format: SourceFormat, private readonly bufferFrames: number) {
    this.device = matchDevice(name, audioDevices().list(), 'input')
    if (this.device.inputChannels < format.channels) {
      throw new UsageError('FORMAT_UNSUPPORTED', `audio input '${this.device.name}' has ${this.device.inputChannels} channel(s), the show asks for ${format.channels}: use --channels ${this.device.inputChannels}`)
    }
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${bufferFrames}-frame buffer)`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    const chunker = new PacketChunker(show, (pcm) => h.packet(pcm))
    try {
      this.stream = audioDevices().capture({ deviceId: this.device.id, rateHz: show.rateHz, channels: show.channels, format: show.format, framesPerBuffer: this.bufferFrames })
    } catch (err) {
      return h.end(new Error(`cannot open audio input '${this.device.name}': ${(err as Error).message} (busy, or ${show.rateHz} Hz ${show.format} not supported?)`))
    }
    // PortAudio hands over Buffers it does not reuse: chunking can keep views of them.
    this.stream.on('data', (chunk) => chunker.push(chunk))
    this.stream.on('error', (err) => h.end(new Error(`audio input '${this.device.name}' failed: ${err.message}`)))
    this.stream.start()
  }

  stop(): void {
    this.stream?.quit()
    this.stream = undefined
  }
}
