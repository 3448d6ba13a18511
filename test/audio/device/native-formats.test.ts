// What a card takes itself, as ALSA's --dump-hw-params says (the jack PCM: float only; a
// plug PCM: everything), and which ALSA name a PortAudio device has.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { alsaPcmName, nativeFormats, nativeFormatsAsync, parseHwFormats } from '../../../src/audio/device/native-formats.js'
import { AudioLoopback, DEVICE, FLOAT_DEVICE } from '../../helpers/audio-loopback.js'

/** arecord -D synchro_jack --dump-hw-params, as alsa-utils 1.2.8 printed it here (before its "Sample format non available"). */
const JACK_DUMP = `HW Params of device "synchro_jack":
--------------------
ACCESS:  MMAP_INTERLEAVED MMAP_NONINTERLEAVED RW_INTERLEAVED RW_NONINTERLEAVED
FORMAT:  FLOAT_LE
SUBFORMAT:  STD
SAMPLE_BITS: 32
RATE: 48000
--------------------
arecord: set_params:1352: Sample format non available
Available formats:
- FLOAT_LE
`
const PLUG_FORMATS = 'FORMAT:  S8 U8 S16_LE S16_BE U16_LE S24_LE S32_LE FLOAT_LE MU_LAW A_LAW S24_3LE S24_3BE'

/** A PortAudio device as the device host lists it. */
const deviceNamed = (name: string, hostApi = 'ALSA') => ({
  id: 0,
  name,
  hostApi,
  inputChannels: 2,
  outputChannels: 2,
  defaultRateHz: 48000,
  defaultLowInputLatencyMs: 5,
  defaultLowOutputLatencyMs: 5,
})

test('the jack PCM takes float only; a plug PCM takes all three of ours; a card with only S32_LE none of them', () => {
  assert.equal(parseHwFormats(JACK_DUMP), { alsa: ['FLOAT_LE'], formats: ['f32le'] })
  assert.equal(parseHwFormats(PLUG_FORMATS)?.formats, ['s16le', 'f32le', 's24le'])
  assert.equal(parseHwFormats('FORMAT:  S32_LE\n'), { alsa: ['S32_LE'], formats: [] })
  assert.is(parseHwFormats('arecord: main:850: audio open error: No such file or directory'), undefined)
})

test("a PortAudio ALSA device's PCM: its (hw:C,D), else its own name", () => {
  assert.is(alsaPcmName('HDA Intel PCH: ALC892 Analog (hw:0,0)'), 'hw:0,0')
  assert.is(alsaPcmName('USB Audio CODEC: Audio (hw:2,0)'), 'hw:2,0')
  assert.is(alsaPcmName('synchro_jack'), 'synchro_jack')
  assert.is(alsaPcmName('default'), 'default')
})

test('not ALSA: unknown, nothing asked', () => {
  assert.is(nativeFormats(deviceNamed('Built-in Microphone', 'Core Audio'), 'input'), undefined)
})

test('an ALSA PCM that does not exist: unknown, not an error', () => {
  assert.is(nativeFormats(deviceNamed('no_such_pcm_here'), 'input'), undefined)
})

test("through ALSA's own tools on the tests' JACK loopback, both ways, waiting and not: the jack PCM float only, the plug PCM ours all; a PCM asked for playback is not held", async () => {
  const loop = new AudioLoopback()
  await loop.start()
  try {
    const env = { ...process.env, ...loop.env }
    const device = (name: string) => deviceNamed(name)
    for (const direction of ['input', 'output'] as const) {
      assert.equal(nativeFormats(device(FLOAT_DEVICE), direction, env)?.formats, ['f32le'], direction)
      assert.equal((await nativeFormatsAsync(device(FLOAT_DEVICE), direction, env))?.formats, ['f32le'], direction)
      assert.equal([...(nativeFormats(device(DEVICE), direction, env)?.formats ?? [])].sort(), ['f32le', 's16le', 's24le'], direction)
      const started = performance.now()
      assert.equal(
        [...((await nativeFormatsAsync(device(DEVICE), direction, env))?.formats ?? [])].sort(),
        ['f32le', 's16le', 's24le'],
        direction,
      )
      // Played nothing and let go: aplay fed /dev/zero played on until its 2 s timeout.
      assert.ok(performance.now() - started < 1900, `${direction}: ${(performance.now() - started).toFixed(0)} ms`)
    }
  } finally {
    await loop.stop()
  }
})

test.run()
