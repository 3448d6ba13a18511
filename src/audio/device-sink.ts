// `--sink device[:NAME]`: a rig plays the show on a sound card.
// - Opened in the show's format, or the nearest the card takes (device/negotiate.ts), the
//   difference bridged (channels, sample format, rate: device/format-bridge.ts).
// - With a show clock (the playout gives each write its due time), the card is steered so
//   the frame leaving it is on the show clock: when each frame leaves is measured
//   (device/card-position.ts), and single frames are dropped or repeated, or a resync
//   skips or pads at once (device/steering.ts); frames go to the card's device host as
//   soon as they are here, and it writes them to PortAudio when due (timed-writes.ts).
//   Before the rig has a show clock, the card's clock is followed by the frames waiting for
//   it (drift.ts), and a card that stalls does not turn the stall into latency (at most
//   eight buffers wait for it); on the show clock the due times say what is too late.
// - A card that fails or stops taking audio mid-show is a fault the rig reports while its
//   session goes on; the device is reopened (by name, it may come back with another id)
//   once a second until it plays again.

import type { AudioDeviceInfo, AudioDevices, PlaybackStream, StreamOptions } from './device/portaudio.js'
import { DeviceError } from '../errors.js'
import { audioDevices } from './device/isolated.js'
import { adjustByOneFrame, DriftController } from './drift.js'
import { CardPosition, QUEUE_CHUNKS } from './device/card-position.js'
import { CardSteering, type Stamp } from './device/steering.js'
import { bytesPerSample } from '../codec/format.js'
import { matchDevice } from './device/match.js'
import { describeConversion, openNegotiated, type CardFormat } from './device/negotiate.js'
import { openNegotiatedAsync } from './device/negotiate-async.js'
import { FormatBridge } from './device/format-bridge.js'
import type { NativeFormats } from './device/native-formats.js'
import { Reopener } from './device/reopener.js'
import { bufferFrames, describeBuffer } from './device/buffer-size.js'
import type { CardOptions } from './device/card-options.js'
import type { AudioSink, DeviceSinkStats } from './sink.js'
import type { SourceFormat } from './source.js'

/** A card that took nothing for this long while audio waited is lost. */
const STALL_MS = 1000
/**
 * How late a write may come after its time (due minus the lead) and still find PortAudio's
 * queue full: the playout ticks every 1 ms (playout.ts, tickMs at 128 frames), and its
 * timer fires late by a fraction of that. A later write is only a late-biased measurement,
 * which the steering's floor leaves out (steering.ts).
 */
const WRITE_MARGIN_MS = 1
/**
 * Silence after the show's last frames at close, so they have left the card before it stops:
 * without it the last 384-640 frames (8-13 ms) never played through the ALSA jack plugin (what
 * its buffer held when PortAudio stopped) and the last period repeated (issue 13). 50 ms: all
 * of that, with room for a card whose buffer is deeper; the clip's last window arrived in every
 * bench run with it (bench/card-windows.mjs).
 */
const TAIL_MS = 50

export interface DeviceSinkOptions extends CardOptions {
  /** The card is open and running: from now on what the rig plays is heard. */
  onStarted?: (description: string) => void
}

export class DeviceSink implements AudioSink {
  readonly description: string
  readonly realtime = true
  private device: AudioDeviceInfo
  private readonly devices: AudioDevices
  private stream: PlaybackStream | undefined
  private bridge: FormatBridge | undefined
  /** What the card takes itself (device/native-formats.ts); false: not asked yet, undefined: cannot be asked. */
  private native: NativeFormats | undefined | false = false
  private conversion: string | null = null
  /** A device that failed mid-show: the rig keeps its session and says so (once per failure). */
  fault: string | undefined
  private format: SourceFormat | undefined
  private showFrameBytes = 0
  private cardFrameBytes = 0
  private drift: DriftController | undefined
  /** When each written frame leaves the card (always kept: the show clock may come mid-show). */
  private position: CardPosition<Stamp> | undefined
  /** Steering to the show clock, from the first write with a due time. */
  private steering: CardSteering | undefined
  /** Frames a hard resync still has to skip from what comes next. */
  private toSkip = 0
  private cardRateHz = 0
  private bufferFramesOpen = 0
  private outputLatencyMs = 0
  private queuedFrames = 0
  /** The most frames that may wait for the card: eight buffers, at least 1024 (21 ms: the playout's timer ticks are not the card's). Set at open. */
  private maxQueuedFrames = 1024
  private framesSkipped = 0
  private framesPadded = 0
  private reopens = 0
  /** Corrections made on the card before a reopen (its drift is measured anew). */
  private carried = { framesInserted: 0, framesDropped: 0, hardResyncs: 0 }
  private lastTakenMs = 0
  private readonly reopener: Reopener
  private closed = false
  /** The card's own lead (leadMs): a write is held by the host until that long before its due time. */
  private cardLeadMs = 0
  private readyNow: Promise<void> = Promise.resolve()
  private resolveReady: () => void = () => {}

  constructor(private readonly o: DeviceSinkOptions) {
    this.devices = o.devices ?? audioDevices()
    this.reopener = new Reopener(() => this.reopen(), o.clock)
    this.device = matchDevice(o.name, this.devices.list(), 'output')
    this.description = `device '${this.device.name}' (${this.device.hostApi}, ${describeBuffer(o.buffer)})`
    // Known before the card opens, so the lead is right from the first write.
    this.outputLatencyMs = this.device.defaultLowOutputLatencyMs
    this.bufferFramesOpen = bufferFrames(o.buffer, this.device.defaultRateHz)
    // The card opens at the handshake; have its host loaded by then.
    this.devices.prepare?.()
  }

  /**
   * Opened at the handshake, when the show's format is known: through a device host, off the
   * event loop (ready() says when it plays). A device that cannot play it is a fault the rig
   * reports, not a crash.
   */
  open(format: SourceFormat): void {
    this.format = format
    this.showFrameBytes = bytesPerSample(format.format) * format.channels
    this.readyNow = new Promise((r) => (this.resolveReady = r))
    if (this.devices.probeAsync) {
      this.openStreamAsync().catch((err: unknown) => this.openFailed(err))
      return
    }
    try {
      this.openStream()
    } catch (err) {
      this.openFailed(err)
    }
  }

  /** Resolves once the card plays (its stream started) or has failed to open: what a rig waits for before it tells the server it has joined. */
  ready(): Promise<void> {
    return this.readyNow
  }

  private openFailed(err: unknown): void {
    this.failed(`cannot open audio output '${this.device.name}': ${(err as Error).message}`)
    // A format the card refuses will not change by retrying; a busy or missing card may.
    if (!(err instanceof DeviceError && err.code === 'FORMAT_UNSUPPORTED')) this.reopener.schedule()
    this.resolveReady()
  }

  /** What the card is asked to open with, for each candidate format. */
  private streamOptions(): (c: CardFormat) => StreamOptions {
    // A card with fewer channels than the show gets a down-mix (stereo show on a mono speaker).
    const channels = Math.min(this.format!.channels, this.device.outputChannels)
    return (c) => ({
      deviceId: this.device.id,
      rateHz: c.rateHz,
      channels,
      format: c.format,
      framesPerBuffer: bufferFrames(this.o.buffer, c.rateHz),
    })
  }

  private openStream(): void {
    const options = this.streamOptions()
    const probe = this.devices.probe
    const { stream, card } = openNegotiated(
      (c) => this.devices.playback(options(c)),
      this.format!,
      this.device,
      'output',
      this.o.bitExact ?? false,
      probe && ((cards) => probe('output', cards.map(options))),
      // What the card takes, if asked already (the synchronous path never waits on ALSA's tools).
      this.native === false ? undefined : this.native?.formats,
    )
    this.attach(stream, card, options(card).channels)
  }

  /** openStream with the formats checked off the event loop (the device host answers meanwhile). */
  private async openStreamAsync(): Promise<void> {
    const options = this.streamOptions()
    const probe = this.devices.probeAsync!
    // Asked once, off the event loop: opened in a format the card takes itself, any conversion
    // is the bridge's, exact where it can be and shown (native-formats.ts says why not PortAudio's).
    if (this.native === false) this.native = await this.devices.nativeFormatsAsync?.(this.device, 'output')
    const { stream, card } = await openNegotiatedAsync(
      (c) => this.devices.playback(options(c)),
      this.format!,
      this.device,
      'output',
      this.o.bitExact ?? false,
      (cards) => probe('output', cards.map(options)),
      this.native?.formats,
    )
    // The show ended while the host was answering: nothing to play for.
    if (this.closed) return stream.abandon?.()
    this.attach(stream, card, options(card).channels)
  }

  private attach(stream: PlaybackStream, card: CardFormat, channels: number): void {
    const format = this.format!
    this.bridge?.destroy()
    this.bridge = new FormatBridge(format, { ...card, channels })
    this.conversion = describeConversion(
      format,
      card,
      'output',
      this.native !== false && this.native?.formats.length ? 'Synchro' : undefined,
    )
    if (channels < format.channels)
      this.conversion = `${this.conversion ? `${this.conversion}, ` : ''}${format.channels} ch down-mixed to ${channels}`
    this.cardFrameBytes = bytesPerSample(card.format) * channels
    this.maxQueuedFrames = Math.max(8 * bufferFrames(this.o.buffer, card.rateHz), 1024)
    this.carryCorrections()
    this.drift = new DriftController(card.rateHz)
    this.cardRateHz = card.rateHz
    this.bufferFramesOpen = bufferFrames(this.o.buffer, card.rateHz)
    this.outputLatencyMs = this.device.defaultLowOutputLatencyMs
    // A new stream: its buffer grid starts at its first frame, and its timing is measured anew.
    this.position = new CardPosition({
      rateHz: card.rateHz,
      bufferFrames: this.bufferFramesOpen,
      outputLatencyMs: this.outputLatencyMs,
    })
    this.steering = undefined
    this.toSkip = 0
    this.queuedFrames = 0
    this.lastTakenMs = this.o.clock.now()
    this.stream = stream
    stream.on('error', (err) => this.lost(stream, `audio output '${this.device.name}' failed: ${err.message}`))
    stream.on('started', () => {
      this.lastTakenMs = this.o.clock.now()
      this.resolveReady()
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
    this.resolveReady()
  }

  /** By name: a USB card plugged back in comes back with another id. Off the event loop where the devices allow. */
  private reopen(): void | Promise<void> {
    if (this.stream || this.closed) return
    const restored = (): void => {
      this.reopens++
      this.fault = undefined
      this.o.onRestored?.(`audio output '${this.device.name}' is back${this.conversion ? ` (${this.conversion})` : ''}`)
    }
    const { listAsync, probeAsync } = this.devices
    if (listAsync && probeAsync) {
      return (async () => {
        this.device = matchDevice(this.device.name, await listAsync(), 'output')
        await this.openStreamAsync()
        if (this.stream) restored()
      })()
    }
    this.device = matchDevice(this.device.name, this.devices.list(), 'output')
    this.openStream()
    restored()
  }

  /** A reopened card is measured anew; what was corrected on the old one still counts. */
  private carryCorrections(): void {
    for (const d of [this.drift?.stats, this.steering?.stats]) {
      if (!d) continue
      this.carried.framesInserted += d.framesInserted
      this.carried.framesDropped += d.framesDropped
    }
    this.carried.hardResyncs += this.steering?.stats.hardResyncs ?? 0
  }

  /**
   * How long before its due time the card wants a frame: the card's output latency, the
   * buffer its callback is playing, and PortAudio's queue of QUEUE_CHUNKS writes kept full
   * (card-position.ts needs it full to see where the card is), plus WRITE_MARGIN_MS for the
   * playout's tick. Each in its own rate: the card's buffer in card frames, the chunks as the
   * playout writes them (`packetFrames`, show frames). At 128 frames and 48 kHz: 14.3 ms plus
   * the latency, which leaves a packet ~3 ms to arrive in at the default show latency of 20 ms
   * (measured through the loopback: the latest packet of a second arrived 17.4 ms before its
   * due time). A lead above the show latency would make every packet late (issue 12's show
   * clock treats what comes after its time as late): the eight writes this lead used to be
   * (21.3 ms) concealed 87% of a tone at the default latency.
   * The playout's packet, not the largest write: a backlog written at once after a stall must
   * not deepen the lead, or the playout writes further ahead, in a larger chunk, and the lead
   * grows again without bound (one run skipped 235 M frames that way).
   */
  leadMs(packetFrames: number): number {
    this.cardLeadMs = this.cardLead(packetFrames)
    return this.cardLeadMs
  }

  /**
   * Through a device host, frames are taken as soon as the rig has them, up to the show's
   * latency ahead of their time: the host holds each until shortly before the card needs it
   * (timed-writes.ts, write below), so a stall of the rig's event loop shorter than that never
   * reaches the card (issue 13: at most eight buffers could wait, and every stall past the
   * lead was a hole). In process, at the lead.
   */
  aheadMs(packetFrames: number, latencyMs: number): number {
    const card = this.cardLead(packetFrames)
    this.cardLeadMs = card
    return this.devices.timedWrites ? Math.max(card, latencyMs) : card
  }

  private cardLead(packetFrames: number): number {
    const showRateHz = this.format?.rateHz || this.cardRateHz || this.device.defaultRateHz
    const cardRateHz = this.cardRateHz || this.device.defaultRateHz
    const bufferMs = (this.bufferFramesOpen * 1000) / cardRateHz
    const chunkMs = (packetFrames * 1000) / showRateHz
    return this.outputLatencyMs + bufferMs + QUEUE_CHUNKS * chunkMs + WRITE_MARGIN_MS
  }

  /**
   * The playout writes at the show's rate; the card takes frames at its own. With `dueMs`
   * (when the first frame should leave the card) the card is steered to the show clock;
   * without, what waits in between is watched and a frame is dropped or repeated when the
   * card's clock has carried it away from where it settled (DriftController).
   */
  write(pcm: Uint8Array, dueMs?: number): void {
    const stream = this.stream
    if (!stream || !this.format || !this.drift || !this.bridge || !this.position) {
      // No card to play them (away after a fault, or not open yet): they never reach it.
      if (this.showFrameBytes > 0) this.framesSkipped += pcm.byteLength / this.showFrameBytes
      return
    }
    const now = this.o.clock.now()

    let frames = pcm.byteLength / this.showFrameBytes
    if (this.queuedFrames > 0 && now - this.lastTakenMs > STALL_MS) {
      return this.lost(
        stream,
        `audio output '${this.device.name}' stopped taking audio for ${STALL_MS} ms (unplugged, or its driver stalled)`,
      )
    }
    const frameMs = 1000 / this.format.rateHz
    // Steered from the first write with a due time on (the show clock may come mid-show).
    if (dueMs !== undefined && !this.steering) this.steering = new CardSteering(this.format.rateHz)
    const steering = dueMs === undefined ? undefined : this.steering
    // On the show clock, frames due before the card could play them are late: skipped, never
    // played late (what a stall of the rig's event loop held up; at the start, what came while
    // the card's opening held the rig, issue 13). Frames due later are kept, however early.
    let skip = steering && dueMs !== undefined ? this.lateFrames(dueMs, now, frames) : 0
    // Room, in show frames (near enough when resampling: the bound is a bound, not a target).
    // On the show clock the due times decide what is too late, not a depth: a card that stalls
    // and catches up (JACK's dummy backend runs the cycles it missed) plays what waited, on
    // time, where eight buffers' bound skipped it (issue 13: holes of 512-15,000 frames, then
    // cuts as long); if it stays late, the steering skips what is late. The bound there is
    // what a card may hold before it counts as lost (STALL_MS), against memory only.
    const maxQueued = steering ? Math.ceil((STALL_MS * this.cardRateHz) / 1000) : this.maxQueuedFrames
    const room = maxQueued - this.queuedFrames
    if (room <= 0) skip = frames
    else if (frames - skip > room) skip = frames - room // keep the newest
    if (skip > 0) {
      this.framesSkipped += skip
      if (!steering) this.drift.disturbed(now)
      // The frames after a skip leave earlier by as much: the steering counts it as its own.
      if (steering) steering.skipped(skip)
      if (skip === frames) return
      pcm = pcm.subarray(skip * this.showFrameBytes)
      frames -= skip
      if (dueMs !== undefined) dueMs += skip * frameMs
    }

    let fix: -1 | 0 | 1
    let stamp: Stamp = { epoch: 0, applied: 0 }
    if (steering && dueMs !== undefined) {
      const steered = this.steer(steering, pcm, dueMs, now)
      if (!steered) return
      ;({ pcm, dueMs, fix, stamp } = steered)
    } else {
      fix = this.drift.correction(now)
    }
    const fixed = fix === 0 ? pcm : adjustByOneFrame(pcm, this.showFrameBytes, bytesPerSample(this.format.format), fix)
    // PortAudio keeps a reference until the card has played it: the bridge gives a buffer of its own.
    const out = this.bridge.convert(fixed)
    const cardFrames = out.byteLength / this.cardFrameBytes
    if (cardFrames === 0) {
      this.framesSkipped += frames // the resampler is still loading (the first few ms)
      return
    }
    this.queuedFrames += cardFrames
    // On the show clock the steering follows the card; the level-follower is for a rig without one.
    const drift = steering ? undefined : this.drift
    drift?.observe(this.queuedFrames, now)
    const position = this.position
    position.written(cardFrames, dueMs, stamp)
    // Held by the host until one lead before the card's lead: PortAudio's queue must be full
    // when a chunk is taken (card-position.ts), so a write may come early (it waits in the
    // host's stream) but never late, and a host's timer can fire late by a few ms when the
    // machine is busy (a late write reads as a late card; 95 of 100 late and the steering
    // skips frames that were on time).
    const leadMs = this.cardLeadMs || this.cardLead(frames)
    const writeAtMs = dueMs === undefined || !this.devices.timedWrites ? undefined : dueMs - 2 * leadMs
    stream.write(
      out,
      (atMs) => {
        if (stream !== this.stream) return
        this.queuedFrames -= cardFrames
        this.lastTakenMs = this.o.clock.now()
        drift?.consumed(cardFrames, this.lastTakenMs)
        const m = position.taken(atMs ?? this.lastTakenMs)
        if (m) this.steering?.measure(m.errorMs, m.stamp)
      },
      writeAtMs,
    )
  }

  /**
   * How many of a write's `frames`, the first due at `dueMs`, are due before they could leave
   * the card: a frame written now leaves at the earliest its output latency from now, and
   * later by where it falls in the card's buffer (card-position.ts: a callback plays whole
   * buffers of what was written, in order), with nothing queued before it.
   */
  private lateFrames(dueMs: number, now: number, frames: number): number {
    const frameMs = 1000 / this.format!.rateHz
    const earliestMs = now + this.outputLatencyMs + this.position!.bufferOffsetMs
    const late = Math.ceil((earliestMs - dueMs) / frameMs - 1e-6)
    return Math.min(frames, Math.max(0, late))
  }

  /**
   * On the show clock: what the steering says to do to this write, done. Returns what to
   * send the card (undefined: nothing, all of it skipped), its first frame's due time, the
   * single frame to drop or repeat, and the stamp the card's measurement of it is read with.
   */
  private steer(
    steering: CardSteering,
    pcm: Uint8Array,
    dueMs: number,
    now: number,
  ): { pcm: Uint8Array; dueMs: number; fix: -1 | 0 | 1; stamp: Stamp } | undefined {
    const frameMs = 1000 / this.format!.rateHz
    if (this.position!.empty) {
      // The card's first frames: silence until the first is due (as Snapcast's client
      // starts), so PortAudio's queue is full from the start and the card starts on time.
      const pad = Math.round((dueMs - now - this.outputLatencyMs) / frameMs)
      if (pad > 0) {
        pcm = this.silenceFirst(pcm, pad)
        dueMs -= pad * frameMs
      }
    }
    const c = steering.decide(now)
    if (c.kind === 'hard' && c.frames > 0) this.toSkip += c.frames
    if (c.kind === 'hard' && c.frames < 0) {
      // Early: silence first, so what follows leaves when it is due.
      pcm = this.silenceFirst(pcm, -c.frames)
      this.framesPadded -= c.frames
      dueMs += c.frames * frameMs
    }
    if (this.toSkip > 0) {
      // Late: skip at once; what a short write cannot hold is skipped from the next ones.
      const frames = pcm.byteLength / this.showFrameBytes
      const n = Math.min(this.toSkip, frames)
      this.toSkip -= n
      this.framesSkipped += n
      if (n === frames) return undefined
      pcm = pcm.subarray(n * this.showFrameBytes)
      dueMs += n * frameMs
    }
    const stamp = steering.stamp
    if (c.kind !== 'soft') return { pcm, dueMs, fix: 0, stamp }
    // The single frame falls inside this write: its first frame is not moved by it.
    return { pcm, dueMs, fix: c.frames === 1 ? -1 : 1, stamp: { epoch: stamp.epoch, applied: stamp.applied - c.frames } }
  }

  /** `frames` of silence, then `pcm` (every sample format's silence is all zero bytes). */
  private silenceFirst(pcm: Uint8Array, frames: number): Uint8Array {
    const out = new Uint8Array(pcm.byteLength + frames * this.showFrameBytes)
    out.set(pcm, frames * this.showFrameBytes)
    return out
  }

  deviceStats(): DeviceSinkStats | undefined {
    if (!this.format) return undefined
    const d = this.drift?.stats ?? { driftPpm: 0, framesInserted: 0, framesDropped: 0 }
    const s = this.steering?.stats
    return {
      // On the show clock, the card's rate against it; before, against the frames it was given.
      driftPpm: s ? s.driftPpm : d.driftPpm,
      framesInserted: d.framesInserted + (s?.framesInserted ?? 0) + this.carried.framesInserted,
      framesDropped: d.framesDropped + (s?.framesDropped ?? 0) + this.carried.framesDropped,
      syncErrorMs: s?.syncErrorMs ?? null,
      hardResyncs: (s?.hardResyncs ?? 0) + this.carried.hardResyncs,
      queuedFrames: this.queuedFrames,
      framesSkipped: this.framesSkipped,
      framesPadded: this.framesPadded,
      conversion: this.conversion,
      reopens: this.reopens,
      fault: this.fault ?? null,
    }
  }

  async close(): Promise<void> {
    this.closed = true
    this.resolveReady()
    this.reopener.stop()
    const s = this.stream
    // The show's last frames are followed by silence, so they leave the card before it stops.
    if (s && this.bridge && this.format && this.position && !this.position.empty) {
      const frames = Math.ceil((TAIL_MS * this.format.rateHz) / 1000)
      s.write(this.bridge.convert(new Uint8Array(frames * this.showFrameBytes)))
    }
    this.stream = undefined
    this.bridge?.destroy()
    // The host lets the card play what it was given, and is killed if that takes over a second.
    if (s) await new Promise<void>((r) => s.quit(() => r()))
  }
}
