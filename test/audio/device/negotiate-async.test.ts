// openNegotiatedAsync: the candidates go to an asynchronous probe once, in the order the
// synchronous negotiation tries them, and its answer decides as openNegotiated's would:
// the winner opened, every refusal in the line, --bit-exact's reason kept.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DeviceError } from '../../../src/errors.js'
import type { CardFormat } from '../../../src/audio/device/negotiate.js'
import { openNegotiatedAsync } from '../../../src/audio/device/negotiate-async.js'
import type { AudioDeviceInfo } from '../../../src/audio/device/portaudio.js'

const card: AudioDeviceInfo = {
  id: 1,
  name: 'Jack float',
  hostApi: 'ALSA',
  inputChannels: 2,
  outputChannels: 2,
  defaultRateHz: 44100,
  defaultLowInputLatencyMs: 5,
  defaultLowOutputLatencyMs: 5,
}
const show: CardFormat = { rateHz: 48000, format: 's16le' }
const label = (c: CardFormat) => `${c.rateHz} ${c.format}`

test('asks once, in the synchronous order, and opens only the candidate the probe names', async () => {
  const asked: string[][] = []
  const opened: string[] = []
  const r = await openNegotiatedAsync(
    (c) => {
      opened.push(label(c))
      return 'stream'
    },
    show,
    card,
    'output',
    false,
    async (cards) => {
      asked.push(cards.map(label))
      return { index: 1, errors: ['Format not supported: Invalid sample format'] }
    },
  )
  assert.is(asked.length, 1)
  assert.equal(asked[0]!.slice(0, 3), ['48000 s16le', '48000 s24le', '48000 f32le'], 'the show format, then lossless ones')
  assert.ok(asked[0]!.includes('44100 s16le'), "the card's own rate comes last")
  assert.equal(opened, ['48000 s24le'])
  assert.equal(r.card, { rateHz: 48000, format: 's24le' })
})

test('none taken: one line with every refusal, as the synchronous negotiation says it', async () => {
  const err = await openNegotiatedAsync(
    () => 'never',
    show,
    card,
    'output',
    true,
    async (cards) => ({ index: -1, errors: cards.map(() => 'Format not supported: Invalid sample format') }),
  ).catch((e: unknown) => e)
  assert.instance(err, DeviceError)
  assert.is((err as DeviceError).code, 'FORMAT_UNSUPPORTED')
  assert.match(
    (err as Error).message,
    /audio output 'Jack float' takes none of the formats tried: 48000 Hz s16le \(Invalid sample format\)/,
  )
  assert.match((err as Error).message, /--bit-exact forbids/)
})

test("the probe's own failure (a host that did not answer) comes through as it is", async () => {
  const timeout = new DeviceError(
    'DEVICE_FAILED',
    'the sound system did not answer within 10 s, 2 tries, while checking which formats the card takes',
  )
  const err = await openNegotiatedAsync(
    () => 'never',
    show,
    card,
    'output',
    false,
    () => Promise.reject(timeout),
  ).catch((e: unknown) => e)
  assert.is(err, timeout)
})

test.run()
