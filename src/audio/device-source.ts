// `--source device[:NAME]`: the show's audio captured from a sound card. The card's clock
// paces the show: each buffer is sent as the card delivers it. A card that will not capture
// in the show's format is opened in the nearest one it takes and bridged (channels, sample
// format, rate), unless --bit-exact forbids what would change the samples.
// The card is opened when the show is set up, so the stream starts at INIT without waiting
// for it (what it captures before INIT is dropped: the show is live, not recorded).
// A card lost mid-show (it fails, or delivers nothing for a second) does not end the show:
// the source sends silence on the show's own clock, so every rig stays at its position in
// the stream, and reopens the card by name once a second until it delivers again. A card
// still starting is not lost: capture-watchdog.ts gives a start its own, longer deadlines.
// The card is opened in a format it takes itself where its host API says which
// (native-formats.ts), so that a conversion is Synchro's, exact where it can be, and shown.

import { unrefTimer } from '../clock.js'
import { bytesPerFrame, framesToMs, type AudioFormat } from '../codec/format.js'
import { DeviceError } from '../errors.js'
import type { AudioDeviceInfo, AudioDevices, CaptureStream, StreamOptions } from './device/portaudio.js'
import { audioDevices } from './device/isolated.js'
import { matchDevice } from './device/match.js'
import { FormatBridge } from './device/format-bridge.js'
import { Reopener } from './device/reopener.js'
import { bufferFrames, describeBuffer } from './device/buffer-size.js'
import type { CardOptions } from './device/card-options.js'
import { describeConversion, openNegotiated, type CardFormat } from './device/negotiate.js'
import { PacketChunker } from './packet-chunker.js'
import type { AudioSource, DeviceSourceStats, SourceFormat, SourceHandlers } from './source.js'
import { CaptureWatchdog } from './device/capture-watchdog.js'
import type { NativeFormats } from './device/native-formats.js'

/** How often the watchdog looks: a lost card is noticed within its deadline + this. */
const WATCHDOG_EVERY_MS = 250

export type DeviceSourceOptions = CardOptions

export class DeviceSource implements AudioSource {
  readonly needsPacing = false
  readonly description: string
  private device: AudioDeviceInfo
  private readonly devices: AudioDevices
  private stream: CaptureStream | undefined
  private bridge: FormatBridge | undefined
  private readonly deviceChannels: number
  /** How the card's format became the show's, when it had to (for the operator's log). */
  conversion: string | null = null
  private show: AudioFormat | undefined
  private handlers: SourceHandlers | undefined
  private chunker: PacketChunker | undefined
  /** Whether the card counts as lost: it has its own deadlines while starting. */
  private readonly life = new CaptureWatchdog()
  private watchdog: unknown
  private reopens = 0
  /** The reason while the card is lost. */
  private fault: string | null = null
  /** Samples changed by the bridges of cards lost before this one. */
  private changedBefore = 0
  /** What the card takes itself (native-formats.ts); false: not asked yet. */
  private native: NativeFormats | undefined | false = false
  private readonly reopener: Reopener
  /** While the card is gone: silence on the show's clock. */
  private silence: { timer: unknown; startMs: number; sent: number } | undefined
  private stopped = false
  /** The card was lost and has not delivered since. */
  private faulted = false

  constructor(
    readonly format: SourceFormat,
    private readonly o: DeviceSourceOptions,
  ) {
    this.devices = o.devices ?? audioDevices()
    // A device host loads PortAudio while the devices are listed and probed, so the card
    // opens warm: from a cold host its first buffer came ~1 s later, at the watchdog's second (issue 13).
    this.devices.prepare?.()
    this.reopener = new Reopener(() => this.reopen(), o.clock)
    this.device = matchDevice(o.name, this.devices.list(), 'input')
    if (this.device.inputChannels < 1) throw new DeviceError('FORMAT_UNSUPPORTED', `audio device '${this.device.name}' has no inputs`)
    // A card with fewer inputs than the show's channels is up-mixed (a mono mic into a stereo show).
    this.deviceChannels = Math.min(format.channels, this.device.inputChannels)
    const mix = this.deviceChannels < format.channels ? `, up-mixed from ${this.deviceChannels} ch` : ''
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${describeBuffer(o.buffer)}${mix})`
    try {
      this.open()
    } catch (err) {
      throw new DeviceError(
        err instanceof DeviceError ? err.code : 'DEVICE_FAILED',
        `cannot open audio input '${this.device.name}': ${(err as Error).message}`,
      )
    }
    this.watch()
  }

  /**
   * Every WATCHDOG_EVERY_MS until stop(): a card that went quiet is lost, one still starting
   * only past its start's deadlines (capture-watchdog.ts). It never keeps the process alive
   * by itself. Judged from INIT on: before it nothing streams.
   */
  private watch(): void {
    this.watchdog = this.o.clock.setTimeout(() => {
      if (this.stopped) return
      const verdict = this.stream && this.life.verdict(this.o.clock.now())
      if (this.stream && verdict) this.lost(this.stream, `audio input '${this.device.name}' ${verdict}`)
      this.watch()
    }, WATCHDOG_EVERY_MS)
    unrefTimer(this.watchdog)
  }

  /** The card's figures for the show's stats. */
  deviceStats(): DeviceSourceStats {
    return {
      conversion: this.conversion,
      samplesChanged: this.changedBefore + (this.bridge?.count.changed ?? 0),
      reopens: this.reopens,
      fault: this.fault,
    }
  }

  start(show: AudioFormat, h: SourceHandlers): void {
    this.show = show
    this.handlers = h
    this.life.streaming(this.o.clock.now())
    this.chunker = new PacketChunker(show, (pcm) => h.packet(pcm))
    // Lost before INIT and not back yet: the stream starts in silence all the same.
    if (this.faulted) this.startSilence()
  }

  /** Opens the card (negotiating its format) and starts capturing into a fresh chunker. Throws what the card refused. */
  private open(): void {
    const show = this.format
    const channels = this.deviceChannels
    const options = (c: CardFormat): StreamOptions => ({
      deviceId: this.device.id,
      rateHz: c.rateHz,
      channels,
      format: c.format,
      framesPerBuffer: bufferFrames(this.o.buffer, c.rateHz),
    })
    const probe = this.devices.probe
    // Asked once, when the show is set up: a card's own formats do not change, and a reopen
    // mid-show runs in the server's event loop, which must not wait on ALSA's tools (a PCM
    // whose server is coming back can hold them up to their timeout).
    if (this.native === false) this.native = this.devices.nativeFormats?.(this.device, 'input')
    const native = this.native
    const opened = openNegotiated(
      (c) => this.devices.capture(options(c)),
      show,
      this.device,
      'input',
      this.o.bitExact ?? false,
      probe && ((cards) => probe('input', cards.map(options))),
      native?.formats,
    )
    const stream = opened.stream
    this.stream = stream
    // Known formats: any conversion is the bridge's below. Unknown: PortAudio may convert unseen, as before.
    this.conversion = describeConversion(show, opened.card, 'input', native?.formats.length ? 'Synchro' : undefined)
    this.changedBefore += this.bridge?.count.changed ?? 0
    this.bridge?.destroy()
    const bridge = new FormatBridge({ ...opened.card, channels }, show)
    this.bridge = bridge
    // A reopened card starts packets afresh (a partial packet of the lost one is dropped).
    if (this.show && this.handlers) {
      const h = this.handlers
      this.chunker = new PacketChunker(this.show, (pcm) => h.packet(pcm))
    }
    // A start has its own deadlines (capture-watchdog.ts): opening, then the first buffer.
    this.life.opened(this.o.clock.now())
    const begin = (): void => {
      if (this.stream !== stream) return
      // PortAudio hands over Buffers it does not reuse: chunking can keep views of them.
      stream.on('data', (chunk) => {
        if (this.stream !== stream) return
        this.life.data(this.o.clock.now())
        if (this.faulted) this.restored()
        const chunker = this.chunker
        if (!chunker) return // before INIT
        if (bridge.identity) return chunker.push(chunk)
        const out = bridge.convert(chunk)
        if (out.byteLength) chunker.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength))
      })
      stream.on('error', (err) => this.lost(stream, `audio input '${this.device.name}' failed: ${err.message}`))
      // Its first buffer is owed from when the card runs: a device host still opening it on a loaded machine is not a lost card.
      stream.on('started', () => {
        if (this.stream === stream) this.life.started(this.o.clock.now())
      })
      stream.start()
    }
    // With a resampler to load first, the card starts once it is ready (a few ms).
    if (this.conversion?.includes('resampled'))
      bridge.ready.then(begin, (err: Error) => this.lost(stream, `cannot resample audio input '${this.device.name}': ${err.message}`))
    else begin()
  }

  /** The card went away: silence keeps the show's clock, and the card is tried again every second. */
  private lost(stream: CaptureStream, reason: string): void {
    if (stream !== this.stream || this.stopped) return
    this.stream = undefined
    this.faulted = true
    this.fault = reason
    stream.abandon?.()
    this.devices.prepare?.()
    this.o.onFault?.(reason)
    this.startSilence()
    this.reopener.schedule()
  }

  /** By name: a USB card plugged back in comes back with another id. */
  private reopen(): void {
    if (this.stream) return
    this.device = matchDevice(this.device.name, this.devices.list(), 'input')
    this.open()
    this.reopens++
  }

  /** The reopened card delivers: its audio replaces the silence from here on. */
  private restored(): void {
    this.faulted = false
    this.fault = null
    this.stopSilence()
    this.o.onRestored?.(`audio input '${this.device.name}' is back${this.conversion ? ` (${this.conversion})` : ''}`)
  }

  /**
   * Silent packets at the show's packet rate, each due at start + k periods (no drift). They
   * start from the card's last delivery, not from when it was found gone, so the second the
   * watchdog waited is filled too and the show's clock has no hole.
   */
  private startSilence(): void {
    if (this.silence) return
    const show = this.show
    if (!show) return // before INIT there is no stream to keep going: only the reopening
    const packetBytes = show.framesPerPacket * bytesPerFrame(show)
    const periodMs = framesToMs(show.framesPerPacket, show.rateHz)
    // Not from before INIT: a card opened at setup that never delivered would otherwise be
    // "silent" since it was opened, and the show would send the seconds before INIT too.
    const s: { timer: unknown; startMs: number; sent: number } = { timer: undefined, startMs: this.life.lastLifeMs, sent: 0 }
    this.silence = s
    const tick = (): void => {
      if (this.silence !== s) return
      const due = Math.floor((this.o.clock.now() - s.startMs) / periodMs)
      for (; s.sent < due; s.sent++) this.handlers!.packet(new Uint8Array(packetBytes))
      s.timer = this.o.clock.setTimeout(tick, Math.max(1, s.startMs + (s.sent + 1) * periodMs - this.o.clock.now()))
    }
    tick()
  }

  private stopSilence(): void {
    if (this.silence?.timer !== undefined) this.o.clock.clearTimeout(this.silence.timer)
    this.silence = undefined
  }

  stop(): void {
    this.stopped = true
    this.o.clock.clearTimeout(this.watchdog)
    this.reopener.stop()
    this.stopSilence()
    this.stream?.quit()
    this.stream = undefined
    this.bridge?.destroy()
  }
}
