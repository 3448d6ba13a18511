// A card that will not take the show's format: sample formats converted (integers survive
// a trip through float bit for bit), the nearest format negotiated (lossless first, the
// card's own rate last, --bit-exact refusing what would change samples), rates resampled
// with the tone's pitch and level kept, and a sink that loses its card reopening it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { convertSamples, fromFloat32, isLossless, toFloat32 } from '../../src/audio/sample-format.js'
import { openNegotiated, type CardFormat } from '../../src/audio/device/negotiate.js'
import { FormatBridge } from '../../src/audio/device/format-bridge.js'
import { DeviceSink } from '../../src/audio/device-sink.js'
import { bufferFrames, parseDeviceBuffer } from '../../src/audio/device/buffer-size.js'
import type { AudioDeviceInfo, AudioDevices, PlaybackStream, StreamOptions } from '../../src/audio/device/portaudio.js'
import { systemClock } from '../../src/clock.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { pace, until } from '../helpers/wait.js'

const card: AudioDeviceInfo = {
  id: 3,
  name: 'Jack float',
  hostApi: 'ALSA',
  inputChannels: 2,
  outputChannels: 2,
  defaultRateHz: 48000,
  defaultLowInputLatencyMs: 5,
  defaultLowOutputLatencyMs: 5,
}

test('every s16 value survives s16 -> f32 -> s16; s24 too; float rounds and clips once', () => {
  const all = new Uint8Array(65536 * 2)
  const v = new DataView(all.buffer)
  for (let i = 0; i < 65536; i++) v.setInt16(i * 2, i - 32768, true)
  assert.equal(convertSamples(convertSamples(all, 's16le', 'f32le'), 'f32le', 's16le'), all)
  assert.equal(convertSamples(convertSamples(all, 's16le', 's24le'), 's24le', 's16le'), all)
  const s24 = new Uint8Array([0xff, 0xff, 0x7f, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff])
  assert.equal(convertSamples(convertSamples(s24, 's24le', 'f32le'), 'f32le', 's24le'), s24)
  const loud = fromFloat32(new Float32Array([1.5, -1.5, 0.5, -1]), 's16le')
  assert.equal(Array.from(new Int16Array(loud.buffer)), [32767, -32768, 16384, -32768])
  assert.equal(Array.from(toFloat32(loud, 's16le')).slice(2), [0.5, -1])
  assert.ok(isLossless('s16le', 'f32le') && isLossless('s24le', 'f32le') && isLossless('s16le', 's24le'))
  assert.ok(!isLossless('f32le', 's16le') && !isLossless('s24le', 's16le') && !isLossless('f32le', 's24le'))
})

/** A card that opens only in `takes`; everything else is refused as PortAudio refuses it. */
function opener(takes: CardFormat[], error = 'Format not supported: Invalid sample format') {
  const tried: string[] = []
  const open = (c: CardFormat) => {
    tried.push(`${c.rateHz} ${c.format}`)
    if (!takes.some((t) => t.rateHz === c.rateHz && t.format === c.format)) throw new Error(error)
    return c
  }
  return { open, tried }
}

test("negotiation: the show format first, lossless formats next, the card's own rate last", () => {
  const a = opener([
    { rateHz: 48000, format: 's24le' },
    { rateHz: 48000, format: 'f32le' },
  ])
  assert.equal(openNegotiated(a.open, { rateHz: 48000, format: 's16le' }, card, 'output', false).card, { rateHz: 48000, format: 's24le' })
  assert.equal(a.tried, ['48000 s16le', '48000 s24le'])
  const b = opener([{ rateHz: 48000, format: 'f32le' }])
  assert.equal(openNegotiated(b.open, { rateHz: 44100, format: 's16le' }, card, 'output', false).card, { rateHz: 48000, format: 'f32le' })
  assert.equal(b.tried, ['44100 s16le', '44100 s24le', '44100 f32le', '48000 s16le', '48000 s24le', '48000 f32le'])
  // Capturing, a card that gives only s16 feeds an f32 show losslessly.
  const c = opener([{ rateHz: 48000, format: 's16le' }])
  assert.equal(openNegotiated(c.open, { rateHz: 48000, format: 'f32le' }, card, 'input', true).card, { rateHz: 48000, format: 's16le' })
})

test('negotiation through a probe (a device host answers for every candidate at once): only the winner is opened', () => {
  const opened: CardFormat[] = []
  const probed: CardFormat[][] = []
  const r = openNegotiated(
    (c) => (opened.push(c), c),
    { rateHz: 44100, format: 's16le' },
    card,
    'output',
    false,
    (cards) => (probed.push(cards), { index: 3, errors: ['Format not supported: Invalid sample rate', 'x', 'y'] }),
  )
  assert.equal(r.card, { rateHz: 48000, format: 's16le' })
  assert.equal(opened, [{ rateHz: 48000, format: 's16le' }])
  assert.is(probed.length, 1)
  assert.is(probed[0]!.length, 6)
  assert.throws(
    () =>
      openNegotiated(
        () => 0,
        { rateHz: 44100, format: 's16le' },
        card,
        'output',
        false,
        () => ({ index: -1, errors: ['Could not open stream: Device unavailable'] }),
      ),
    /is busy/,
  )
})

test('negotiation: --bit-exact refuses resampling and rounding in one line; a busy card says so', () => {
  const a = opener([{ rateHz: 48000, format: 'f32le' }])
  assert.throws(
    () => openNegotiated(a.open, { rateHz: 44100, format: 's16le' }, card, 'output', true),
    (e: Error) =>
      /^audio output 'Jack float' takes none of the formats tried: 44100 Hz s16le \(Invalid sample format\), 44100 Hz s24le .*; --bit-exact forbids 48000 Hz s16le, which would need resampling$/.test(
        e.message,
      ) && !e.message.includes('\n'),
  )
  const b = opener([{ rateHz: 48000, format: 's16le' }])
  assert.throws(
    () => openNegotiated(b.open, { rateHz: 48000, format: 'f32le' }, card, 'output', true),
    /--bit-exact forbids 48000 Hz s16le, which would need rounding$/,
  )
  const busy = opener([], 'Could not open stream: Device unavailable')
  assert.throws(
    () => openNegotiated(busy.open, { rateHz: 48000, format: 's16le' }, card, 'output', false),
    /^audio output 'Jack float' is busy: another program has it open/,
  )
})

/** Zero crossings per second of channel 0 and its peak. */
function measure(samples: Float32Array, channels: number, rateHz: number) {
  let crossings = 0
  let peak = 0
  const frames = samples.length / channels
  for (let i = 1; i < frames; i++) {
    if (samples[i * channels]! < 0 !== samples[(i - 1) * channels]! < 0) crossings++
    peak = Math.max(peak, Math.abs(samples[i * channels]!))
  }
  return { hz: crossings / 2 / (frames / rateHz), peak, frames }
}

test('a 44.1 kHz s16 show on a 48 kHz float card: resampled packet by packet, pitch, level and length kept', async () => {
  const bridge = new FormatBridge({ rateHz: 44100, format: 's16le', channels: 2 }, { rateHz: 48000, format: 'f32le', channels: 2 })
  await bridge.ready
  const parts: Float32Array[] = []
  let n = 0
  for (let p = 0; p < 345; p++) {
    const pcm = new Int16Array(128 * 2)
    for (let i = 0; i < 128; i++, n++) pcm[2 * i] = pcm[2 * i + 1] = Math.round(Math.sin((2 * Math.PI * 1000 * n) / 44100) * 16384)
    const out = bridge.convert(new Uint8Array(pcm.buffer))
    parts.push(toFloat32(out.slice(), 'f32le'))
  }
  bridge.destroy()
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0))
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0)
  const m = measure(all.subarray(2 * 480), 2, 48000) // past the filter's first few frames
  assert.ok(Math.abs(m.hz - 1000) < 2, `1000 Hz stays 1000 Hz, got ${m.hz.toFixed(1)}`)
  assert.ok(Math.abs(m.peak - 0.5) < 0.01, `level kept, peak ${m.peak.toFixed(4)}`)
  const expected = (345 * 128 * 48000) / 44100
  assert.ok(
    Math.abs(all.length / 2 - expected) < 64,
    `${all.length / 2} frames out for ${expected.toFixed(0)} (the filter's delay holds back a few)`,
  )
})

/** A card that takes only 48 kHz float, plays at once, and can be made to fail. */
function fragileCard() {
  const opened: StreamOptions[] = []
  let errorHandler: ((err: Error) => void) | undefined
  const written: Uint8Array[] = []
  const devices: AudioDevices = {
    list: () => [card],
    capture: () => {
      throw new Error('no capture')
    },
    playback: (o) => {
      if (o.rateHz !== 48000 || o.format !== 'f32le') throw new Error('Format not supported: Invalid sample rate')
      opened.push(o)
      const s: PlaybackStream = {
        write: (chunk, taken) => (written.push(chunk), setImmediate(() => taken?.()), true),
        on: (e: string, fn: (err: Error) => void) => (e === 'error' ? (errorHandler = fn) : undefined, s),
        start: () => {},
        quit: (cb) => cb?.(),
      }
      return s
    },
  }
  return { devices, opened, written, fail: (msg: string) => errorHandler?.(new Error(msg)) }
}

test('a card lost mid-show is a fault the rig reports; it is reopened by name and plays again, converted as before', async () => {
  const c = fragileCard()
  const faults: string[] = []
  const restored: string[] = []
  const sink = new DeviceSink({
    name: 'Jack',
    buffer: { frames: 128 },
    devices: c.devices,
    clock: systemClock,
    onFault: (r) => faults.push(r),
    onRestored: (d) => restored.push(d),
  })
  sink.open({ rateHz: 44100, channels: 2, format: 's16le' })
  const packet = new Uint8Array(128 * 4)
  for (let i = 0; i < 20; i++) {
    sink.write(packet)
    await pace(3)
  }
  assert.ok(c.written.length > 0, 'the card played')
  assert.is(sink.deviceStats()!.conversion, '44100 Hz s16le -> 48000 Hz f32le (resampled)')
  c.fail('Device disconnected')
  assert.equal(faults, ["audio output 'Jack float' failed: Device disconnected"])
  const before = c.written.length
  const skipped = sink.deviceStats()!.framesSkipped
  sink.write(packet)
  assert.is(c.written.length, before, 'nothing is written to a lost card')
  assert.is(sink.deviceStats()!.framesSkipped - skipped, packet.byteLength / 4, 'and what it was given meanwhile is counted as skipped')
  assert.is(sink.deviceStats()!.fault, "audio output 'Jack float' failed: Device disconnected")
  await until(() => restored.length > 0, 5000, 'the card to be reopened') // the reopener tries once a second
  assert.equal(restored, ["audio output 'Jack float' is back (44100 Hz s16le -> 48000 Hz f32le (resampled))"])
  for (let i = 0; i < 10; i++) {
    sink.write(packet)
    await pace(3)
  }
  assert.ok(c.written.length > before, 'it plays again')
  const stats = sink.deviceStats()!
  assert.is(stats.fault, null)
  assert.is(stats.reopens, 1)
  assert.is(c.opened.length, 2)
  await sink.close()
})

test('a card that stops taking audio without a word is lost after a second', async () => {
  const clock = new ManualClock()
  const c = fragileCard()
  const silent: AudioDevices = {
    ...c.devices,
    playback: (o) => {
      const s = c.devices.playback(o)
      return { ...s, write: () => true, on: () => s, start: () => {}, quit: (cb?: () => void) => cb?.() } as PlaybackStream
    },
  }
  const faults: string[] = []
  const sink = new DeviceSink({ name: 'Jack', buffer: { frames: 128 }, devices: silent, clock, onFault: (r) => faults.push(r) })
  sink.open({ rateHz: 48000, channels: 2, format: 'f32le' })
  const packet = new Uint8Array(128 * 8)
  while (clock.now() < 1100) {
    sink.write(packet)
    await clock.advance(2.67)
  }
  assert.equal(faults, ["audio output 'Jack float' stopped taking audio for 1000 ms (unplugged, or its driver stalled)"])
  await sink.close()
})

test("--device-buffer in frames or milliseconds; milliseconds become frames at the card's rate", () => {
  assert.equal(parseDeviceBuffer(undefined, 128), { frames: 128 })
  assert.equal(parseDeviceBuffer('64', 128), { frames: 64 })
  assert.equal(parseDeviceBuffer('2.5ms', 128), { ms: 2.5 })
  assert.is(bufferFrames({ ms: 2.5 }, 48000), 120)
  assert.is(bufferFrames({ ms: 2.5 }, 44100), 110)
  assert.is(bufferFrames({ frames: 64 }, 96000), 64)
  assert.throws(() => parseDeviceBuffer('8', 128), /between 16 and 16384 frames, got 8/)
  assert.throws(() => parseDeviceBuffer('fast', 128), /must be frames \(128\) or milliseconds/)
})

test.run()
