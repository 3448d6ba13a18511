// `--source device[:NAME]`: the show's audio captured from a sound card. The card's clock
// paces the show: each buffer is sent as the card delivers it. A card that will not capture
// in the show's format is opened in the nearest one it takes and bridged (channels, sample
// format, rate), unless --bit-exact forbids what would change the samples.

import type { AudioFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import type { AudioDeviceInfo, CaptureStream, StreamOptions } from './device/portaudio.js'
import { audioDevices } from './device/isolated.js'
import { matchDevice } from './device/match.js'
import { FormatBridge } from './device/format-bridge.js'
import { bufferFrames, describeBuffer, type DeviceBuffer } from './device/buffer-size.js'
import { describeConversion, openNegotiated, type CardFormat } from './device/negotiate.js'
import { PacketChunker } from './packet-chunker.js'
import type { AudioSource, SourceFormat, SourceHandlers } from './source.js'

export class DeviceSource implements AudioSource {
  readonly needsPacing = false
  readonly description: string
  private readonly device: AudioDeviceInfo
  private stream: CaptureStream | undefined
  private bridge: FormatBridge | undefined
  private readonly deviceChannels: number
  /** How the card's format became the show's, when it had to (for the operator's log). */
  conversion: string | null = null

  constructor(name: string | undefined, readonly format: SourceFormat, private readonly buffer: DeviceBuffer, private readonly bitExact = false) {
    this.device = matchDevice(name, audioDevices().list(), 'input')
    if (this.device.inputChannels < 1) throw new UsageError('FORMAT_UNSUPPORTED', `audio device '${this.device.name}' has no inputs`)
    // A card with fewer inputs than the show's channels is up-mixed (a mono mic into a stereo show).
    this.deviceChannels = Math.min(format.channels, this.device.inputChannels)
    const mix = this.deviceChannels < format.channels ? `, up-mixed from ${this.deviceChannels} ch` : ''
    audioDevices().prepare?.()
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${describeBuffer(buffer)}${mix})`
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    const chunker = new PacketChunker(show, (pcm) => h.packet(pcm))
    const channels = this.deviceChannels
    const devices = audioDevices()
    let stream: CaptureStream
    try {
      const options = (c: CardFormat): StreamOptions => ({ deviceId: this.device.id, rateHz: c.rateHz, channels, format: c.format, framesPerBuffer: bufferFrames(this.buffer, c.rateHz) })
      const probe = devices.probe
      const opened = openNegotiated(
        (c) => devices.capture(options(c)),
        show, this.device, 'input', this.bitExact,
        probe && ((cards) => probe('input', cards.map(options))),
      )
      stream = opened.stream
      this.stream = stream
      this.conversion = describeConversion(show, opened.card, 'input')
      this.bridge = new FormatBridge({ ...opened.card, channels }, show)
    } catch (err) {
      return h.end(new Error(`cannot open audio input '${this.device.name}': ${(err as Error).message}`))
    }
    const bridge = this.bridge
    const begin = (): void => {
      if (this.stream !== stream) return
      // PortAudio hands over Buffers it does not reuse: chunking can keep views of them.
      stream.on('data', (chunk) => {
        if (bridge.identity) return chunker.push(chunk)
        const out = bridge.convert(chunk)
        if (out.byteLength) chunker.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength))
      })
      stream.on('error', (err) => h.end(new Error(`audio input '${this.device.name}' failed: ${err.message}`)))
      stream.start()
    }
    // With a resampler to load first, the card starts once it is ready (a few ms).
    if (this.conversion?.includes('resampled')) bridge.ready.then(begin, (err: Error) => h.end(new Error(`cannot resample audio input '${this.device.name}': ${err.message}`)))
    else begin()
  }

  stop(): void {
    this.stream?.quit()
    this.stream = undefined
    this.bridge?.destroy()
  }
}
