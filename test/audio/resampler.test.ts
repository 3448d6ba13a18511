// libsamplerate (WASM) from the show's rate to a card's: the length scales by the ratio, the
// pitch and level are kept, the filter's state carries from call to call.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Resampler } from '../../src/audio/resampler.js'

function sine(hz: number, rateHz: number, frames: number, from = 0): Float32Array {
  return Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * (from + i)) / rateHz))
}

/** Frequency by zero crossings and the peak, past the filter's start-up. */
function measure(x: Float32Array, rateHz: number) {
  const y = x.subarray(480)
  let crossings = 0
  for (let i = 1; i < y.length; i++) if (y[i - 1]! < 0 !== y[i]! < 0) crossings++
  return { hz: crossings / 2 / (y.length / rateHz), peak: Math.max(...Array.from(y, Math.abs)) }
}

test('44.1 kHz -> 48 kHz mono in 128-frame calls: 48000/44100 as many frames, 1 kHz stays 1 kHz at the same level', async () => {
  const r = await Resampler.create(1, 44100, 48000)
  assert.equal([r.fromHz, r.toHz], [44100, 48000])
  const parts: Float32Array[] = []
  for (let p = 0; p < 345; p++) parts.push(r.process(sine(1000, 44100, 128, p * 128)).slice()) // a view: copied before the next call
  r.destroy()
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0))
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0)
  const expected = (345 * 128 * 48000) / 44100
  assert.ok(Math.abs(out.length - expected) < 64, `${out.length} frames for ${expected.toFixed(0)} (the filter holds back a few)`)
  const m = measure(out, 48000)
  assert.ok(Math.abs(m.hz - 1000) < 2, `${m.hz.toFixed(1)} Hz`)
  assert.ok(Math.abs(m.peak - 0.5) < 0.01, `peak ${m.peak.toFixed(4)}`)
})

test('stereo interleaved: each channel resampled on its own (a tone left, silence right)', async () => {
  const r = await Resampler.create(2, 48000, 96000)
  const left = sine(440, 48000, 4800)
  const inter = new Float32Array(9600)
  left.forEach((v, i) => (inter[2 * i] = v))
  const out = r.process(inter).slice()
  r.destroy()
  const frames = out.length / 2
  assert.ok(Math.abs(frames - 9600) < 128, `${frames} frames for 9600`)
  const l = Float32Array.from({ length: frames }, (_, i) => out[2 * i]!)
  const rightPeak = Math.max(...Array.from({ length: frames }, (_, i) => Math.abs(out[2 * i + 1]!)))
  assert.ok(Math.abs(measure(l, 96000).hz - 440) < 3, 'left keeps its pitch')
  assert.ok(rightPeak < 1e-3, `right stays silent (${rightPeak})`)
})

test('after destroy it gives nothing and does not throw', async () => {
  const r = await Resampler.create(1, 44100, 48000)
  r.destroy()
  r.destroy()
  assert.is(r.process(sine(1000, 44100, 128)).length, 0)
})

test.run()
