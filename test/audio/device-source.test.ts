// A capture card on a manual clock: its buffers become the show's packets; a card that goes
// quiet is lost after a second, the show goes on in silence on its own clock from the card's
// last delivery, and the card is reopened by name a second later and replaces the silence.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { EventEmitter } from 'node:events'
import { DeviceSource } from '../../src/audio/device-source.js'
import type { AudioDevices, CaptureStream, StreamOptions } from '../../src/audio/device/portaudio.js'
import { FIRST_DATA_MS, OPEN_MS } from '../../src/audio/device/capture-watchdog.js'
import type { SampleFormat } from '../../src/codec/format.js'
import { DeviceError } from '../../src/errors.js'
import { ManualClock } from '../helpers/manual-clock.js'

const SHOW = { rateHz: 48000, channels: 2, format: 's16le' as const, framesPerPacket: 128 }
const PACKET_BYTES = 128 * 4
const PERIOD_MS = (128 / 48000) * 1000

class FakeCapture extends EventEmitter implements CaptureStream {
  started = false
  abandoned = false
  start(): void {
    this.started = true
  }
  quit(cb?: () => void): void {
    cb?.()
  }
  abandon(): void {
    this.abandoned = true
  }
  deliver(value: number, bytes = PACKET_BYTES): void {
    this.emit('data', Buffer.alloc(bytes, value))
  }
}

function card(inputChannels = 2, native?: SampleFormat[]): { devices: AudioDevices; streams: FakeCapture[]; opened: StreamOptions[] } {
  const streams: FakeCapture[] = []
  const opened: StreamOptions[] = []
  const devices: AudioDevices = {
    ...(native && { nativeFormats: () => ({ alsa: [], formats: native }) }),
    list: () => [
      {
        id: 4,
        name: 'Mic',
        hostApi: 'ALSA',
        inputChannels,
        outputChannels: 0,
        defaultRateHz: 48000,
        defaultLowInputLatencyMs: 5,
        defaultLowOutputLatencyMs: 5,
      },
    ],
    capture: (o) => {
      opened.push(o)
      const s = new FakeCapture()
      streams.push(s)
      return s
    },
    playback: () => {
      throw new Error('no playback')
    },
  }
  return { devices, streams, opened }
}

test('lost, silent on the show clock, reopened by name, restored; stop() leaves no timer', async () => {
  const clock = new ManualClock()
  const { devices, streams } = card()
  const faults: string[] = []
  const restored: string[] = []
  const src = new DeviceSource(SHOW, {
    name: 'mic',
    buffer: { frames: 128 },
    devices,
    clock,
    onFault: (r) => faults.push(r),
    onRestored: (d) => restored.push(d),
  })
  assert.is(src.description, "device 'Mic' (ALSA, 128-frame buffer)")
  const packets: Uint8Array[] = []
  src.start(SHOW, { packet: (p) => packets.push(p), end: () => assert.unreachable('a lost card does not end the show') })
  assert.is(streams.length, 1)
  assert.ok(streams[0]!.started)
  streams[0]!.deliver(1, PACKET_BYTES * 2)
  assert.is(packets.length, 2)
  assert.ok(packets.every((p) => p.every((b) => b === 1)))

  // Quiet from t = 0: the 250 ms watchdog finds it lost at 1250 ms (more than 1000 ms).
  await clock.advance(1249)
  assert.equal(faults, [])
  await clock.advance(1)
  assert.equal(faults, ["audio input 'Mic' delivered nothing for 1000 ms (unplugged, or its driver stalled)"])
  assert.ok(streams[0]!.abandoned)
  const silentSoFar = (): Uint8Array[] => packets.slice(2)
  assert.is(silentSoFar().length, Math.floor(1250 / PERIOD_MS), 'silence from the last delivery, not from when it was found gone')
  await clock.advance(500)
  assert.is(silentSoFar().length, Math.floor(1750 / PERIOD_MS), 'one silent packet per period, no drift')
  assert.ok(silentSoFar().every((p) => p.byteLength === PACKET_BYTES && p.every((b) => b === 0)))

  // Reopened a second after it was lost; its first buffer replaces the silence.
  assert.is(streams.length, 1)
  await clock.advance(500)
  assert.is(streams.length, 2, 'reopened at 2250 ms')
  const before = packets.length
  streams[1]!.deliver(2)
  assert.equal(restored, ["audio input 'Mic' is back"])
  assert.is(packets.length, before + 1)
  assert.ok(packets.at(-1)!.every((b) => b === 2))
  await clock.advance(100)
  assert.is(packets.length, before + 1, 'no more silence once the card delivers')

  src.stop()
  assert.is(clock.pendingTimers, 0, 'watchdog, silence and reopening all cancelled')
})

test('a slow start is not a lost card: opening has OPEN_MS, a started card FIRST_DATA_MS for its first buffer; its audio then flows with no fault', async () => {
  const clock = new ManualClock()
  const { devices, streams } = card()
  const faults: string[] = []
  const src = new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices, clock, onFault: (r) => faults.push(r) })
  const packets: Uint8Array[] = []
  src.start(SHOW, { packet: (p) => packets.push(p), end: () => assert.unreachable() })
  // The old watchdog called it lost at 1250 ms, before a cold host had even started it.
  await clock.advance(OPEN_MS - 100)
  assert.equal(faults, [], 'still opening')
  streams[0]!.emit('started')
  await clock.advance(FIRST_DATA_MS - 100)
  assert.equal(faults, [], 'started, first buffer not yet owed')
  streams[0]!.deliver(7)
  assert.is(packets.length, 1, 'its first buffer is the first packet: no silence was made up before it')
  assert.ok(packets[0]!.every((b) => b === 7))
  assert.is(src.deviceStats().fault, null)
  src.stop()
})

test('a card that never starts is lost after OPEN_MS, one that starts and never delivers after FIRST_DATA_MS: each says which', async () => {
  const clock = new ManualClock()
  const { devices, streams } = card()
  const faults: string[] = []
  const src = new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices, clock, onFault: (r) => faults.push(r) })
  src.start(SHOW, { packet: () => {}, end: () => assert.unreachable() })
  await clock.advance(OPEN_MS + 250)
  assert.equal(faults, [`audio input 'Mic' did not start in ${OPEN_MS / 1000} s`])
  assert.is(src.deviceStats().fault, faults[0])
  await clock.advance(1000) // reopened a second later
  assert.is(streams.length, 2)
  assert.is(src.deviceStats().reopens, 1)
  streams[1]!.emit('started')
  await clock.advance(FIRST_DATA_MS + 250)
  assert.equal(faults.at(-1), `audio input 'Mic' started but delivered nothing in ${FIRST_DATA_MS} ms`)
  src.stop()
  assert.is(clock.pendingTimers, 0)
})

test('a float-only card and an s16 show: opened in float, converted by Synchro bit for bit, and said so in the stats', () => {
  const clock = new ManualClock()
  const { devices, streams, opened } = card(2, ['f32le'])
  const src = new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices, clock })
  assert.is(opened[0]!.format, 'f32le', 'its own format: PortAudio converts nothing')
  const packets: Uint8Array[] = []
  src.start(SHOW, { packet: (p) => packets.push(p), end: () => assert.unreachable() })
  // s16 audio as a float card carries it (s / 32768), and one sample between two steps.
  const s16 = Int16Array.from({ length: 256 }, (_, i) => ((i * 2731) % 65536) - 32768)
  const floats = Float32Array.from(s16, (v) => v / 32768)
  streams[0]!.emit('data', Buffer.from(floats.buffer))
  assert.is(packets.length, 1)
  assert.equal(new Int16Array(packets[0]!.buffer, packets[0]!.byteOffset, 256), s16)
  assert.equal(src.deviceStats(), {
    conversion: '48000 Hz f32le -> 48000 Hz s16le (converted by Synchro)',
    samplesChanged: 0,
    reopens: 0,
    fault: null,
  })
  floats[0] = 0.1 // 3276.8 steps: rounded
  streams[0]!.emit('data', Buffer.from(floats.buffer))
  assert.is(src.deviceStats().samplesChanged, 1)
  src.stop()
})

test("the card's own formats are asked once, at setup: a reopen mid-show does not wait on ALSA's tools again", async () => {
  const clock = new ManualClock()
  const { devices, streams, opened } = card(2, ['f32le'])
  let asked = 0
  const counting: AudioDevices = { ...devices, nativeFormats: () => (asked++, { alsa: ['FLOAT_LE'], formats: ['f32le'] }) }
  const src = new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices: counting, clock })
  src.start(SHOW, { packet: () => {}, end: () => assert.unreachable() })
  streams[0]!.deliver(0, 1024)
  await clock.advance(1250 + 1000) // lost, then reopened
  assert.is(streams.length, 2)
  assert.is(asked, 1)
  assert.equal(
    opened.map((o) => o.format),
    ['f32le', 'f32le'],
    'reopened in the same format',
  )
  src.stop()
})

test('--bit-exact and a float-only card for an s16 show: refused in one line naming what the card takes', () => {
  const { devices } = card(2, ['f32le'])
  assert.throws(
    () => new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices, bitExact: true, clock: new ManualClock() }),
    (e: unknown) =>
      e instanceof DeviceError &&
      e.code === 'FORMAT_UNSUPPORTED' &&
      e.message ===
        "cannot open audio input 'Mic': audio input 'Mic' takes only f32le (any other format PortAudio would convert unseen): --bit-exact forbids 48000 Hz f32le, which would need rounding",
  )
  // A card that takes s16 itself is opened in it, --bit-exact or not.
  const s16 = card(2, ['s16le', 'f32le'])
  new DeviceSource(SHOW, { name: 'mic', buffer: { frames: 128 }, devices: s16.devices, bitExact: true, clock: new ManualClock() }).stop()
  assert.is(s16.opened[0]!.format, 's16le')
})

test('a machine with no audio input is a DeviceError NO_DEVICE', () => {
  const { devices } = card(0)
  assert.throws(
    () => new DeviceSource(SHOW, { name: undefined, buffer: { frames: 128 }, devices, clock: new ManualClock() }),
    (e: unknown) => e instanceof DeviceError && e.code === 'NO_DEVICE',
  )
})

test('a card that refuses to open: DeviceError with the card named', () => {
  const { devices } = card()
  const refusing: AudioDevices = {
    ...devices,
    capture: () => {
      throw new Error('Could not open stream: Device unavailable')
    },
  }
  assert.throws(
    () => new DeviceSource(SHOW, { name: 'Mic', buffer: { frames: 128 }, devices: refusing, clock: new ManualClock() }),
    (e: unknown) =>
      e instanceof DeviceError && e.code === 'DEVICE_BUSY' && /^cannot open audio input 'Mic': audio input 'Mic' is busy/.test(e.message),
  )
})

test.run()
