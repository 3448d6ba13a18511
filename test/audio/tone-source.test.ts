// The soundcheck tone: a sine at -12 dBFS on every channel, continuous across packets, paced
// by the show clock (one packet per packet period, none before it is due).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ToneSource } from '../../src/audio/tone-source.js'
import { readSample } from '../../src/codec/pcm.js'
import type { AudioFormat } from '../../src/codec/format.js'
import { ManualClock } from '../helpers/manual-clock.js'

function play(show: AudioFormat, hz: number, ms: number) {
  const clock = new ManualClock()
  const tone = new ToneSource(show, hz, clock)
  const packets: Uint8Array[] = []
  let ended = false
  tone.start(show, { packet: (p) => packets.push(p), end: () => (ended = true) })
  return { clock, tone, packets, ended: () => ended, run: () => clock.advance(ms) }
}

/** Channel c of every frame, as floats. */
function samples(packets: Uint8Array[], show: AudioFormat, c: number): number[] {
  const bytes = show.format === 's16le' ? 2 : show.format === 's24le' ? 3 : 4
  const out: number[] = []
  for (const p of packets) {
    const view = new DataView(p.buffer, p.byteOffset, p.byteLength)
    for (let at = c * bytes; at < p.byteLength; at += bytes * show.channels) out.push(readSample(view, at, show.format))
  }
  return out
}

test('440 Hz at -12 dBFS: known first samples, the same on both channels', async () => {
  const show: AudioFormat = { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }
  const t = play(show, 440, 0)
  await t.run()
  assert.is(t.packets.length, 1, 'the first packet at start')
  assert.is(t.packets[0]!.byteLength, 128 * 4)
  const left = samples(t.packets, show, 0)
  assert.equal(samples(t.packets, show, 1), left)
  // 0.25 * sin(2 pi 440 n / 48000), written as s16: n = 0, 1, 2.
  const expected = [0, 1, 2].map((n) => Math.round(0.25 * Math.sin((2 * Math.PI * 440 * n) / 48000) * 32767) / 32767)
  for (let n = 0; n < 3; n++) assert.ok(Math.abs(left[n]! - expected[n]!) < 1 / 32767, `sample ${n}: ${left[n]} vs ${expected[n]}`)
  t.tone.stop()
})

test('paced by the show clock: one packet per 128 frames at 48 kHz (2.667 ms), none after stop', async () => {
  const show: AudioFormat = { rateHz: 48000, channels: 1, format: 'f32le', framesPerPacket: 128 }
  const t = play(show, 1000, 1000)
  await t.run()
  // Packets are due at 0, 2.667, ... 997.33 ms: 375 in the first second, and 1000 ms is the 376th.
  assert.ok(t.packets.length === 375 || t.packets.length === 376, `${t.packets.length} packets in 1 s`)
  t.tone.stop()
  const n = t.packets.length
  await t.clock.advance(100)
  assert.is(t.packets.length, n, 'stopped')
  assert.is(t.ended(), false, 'a tone never ends by itself')
})

test('continuous across packets: a second of tone has the right pitch, level and no jump at packet edges', async () => {
  const show: AudioFormat = { rateHz: 48000, channels: 1, format: 's24le', framesPerPacket: 100 }
  const t = play(show, 1000, 1000)
  await t.run()
  t.tone.stop()
  const x = samples(t.packets, show, 0).slice(0, 48000)
  let crossings = 0
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 !== x[i]! < 0) crossings++
  assert.ok(Math.abs(crossings / 2 - 1000) <= 1, `${crossings / 2} Hz`)
  const peak = Math.max(...x.map(Math.abs))
  assert.ok(Math.abs(peak - 0.25) < 1e-4, `peak ${peak} is -12 dBFS`)
  // The largest step between neighbours of a 1 kHz sine at 0.25 is 0.25 * 2 pi 1000 / 48000 = 0.0327.
  let step = 0
  for (let i = 1; i < x.length; i++) step = Math.max(step, Math.abs(x[i]! - x[i - 1]!))
  assert.ok(step < 0.0328, `largest step ${step}: the phase carries over packet edges`)
})

test.run()
