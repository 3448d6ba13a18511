// What each WAV format becomes and how that is said; the sample values of every
// conversion are checked through the source in wav-source.test.ts's table.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { describeWavFormat, planWav } from '../../src/audio/wav-conversion.js'
import type { WavHeader } from '../../src/audio/wav-header.js'
import { UsageError } from '../../src/errors.js'

const header = (h: Partial<WavHeader>): WavHeader => ({
  container: 'RIFF',
  bigEndian: false,
  formatTag: 1,
  extensible: false,
  channels: 2,
  rateHz: 48000,
  bitsPerSample: 16,
  validBits: 16,
  dataOffset: 44,
  dataBytes: 100,
  ...h,
})

test('each format: the show format, lossless or rounded, and the line that says it', () => {
  const rows: Array<[Partial<WavHeader>, string, string | null, boolean]> = [
    [{}, 's16le', null, true],
    [{ bitsPerSample: 24, validBits: 24 }, 's24le', null, true],
    [{ bitsPerSample: 24, validBits: 20 }, 's24le', null, true],
    [{ formatTag: 3, bitsPerSample: 32, validBits: 32 }, 'f32le', null, true],
    [{ container: 'RIFX', bigEndian: true }, 's16le', 'big-endian (RIFX), byte order swapped (lossless)', true],
    [{ bitsPerSample: 8, validBits: 8 }, 's16le', '8-bit unsigned -> s16le (lossless)', true],
    [{ container: 'RIFX', bigEndian: true, bitsPerSample: 8, validBits: 8 }, 's16le', '8-bit unsigned -> s16le (lossless)', true],
    [
      { container: 'RIFX', bigEndian: true, bitsPerSample: 64, validBits: 64, formatTag: 3 },
      'f32le',
      'big-endian (RIFX), byte order swapped; 64-bit float -> f32le (rounded)',
      false,
    ],
    [{ bitsPerSample: 32, validBits: 32 }, 'f32le', '32-bit integer -> f32le (rounded)', false],
    [{ bitsPerSample: 32, validBits: 24 }, 's24le', '24-bit in a 32-bit container -> s24le (lossless)', true],
    [{ formatTag: 3, bitsPerSample: 64, validBits: 64 }, 'f32le', '64-bit float -> f32le (rounded)', false],
    [{ formatTag: 6, bitsPerSample: 8, validBits: 8 }, 's16le', 'A-law -> s16le (lossless)', true],
    [{ formatTag: 7, bitsPerSample: 8, validBits: 8 }, 's16le', 'µ-law -> s16le (lossless)', true],
  ]
  for (const [h, format, conversion, lossless] of rows) {
    const plan = planWav('x.wav', header(h))
    assert.equal([plan.format, plan.conversion, plan.lossless], [format, conversion, lossless], describeWavFormat(header(h)))
  }
  assert.is(
    planWav('x.wav', header({ bitsPerSample: 32, validBits: 32 }), { format: 's24le' }).conversion,
    '32-bit integer -> s24le (rounded)',
  )
})

test('A-law and µ-law are named as such, not "8-bit integer"', () => {
  assert.is(describeWavFormat(header({ formatTag: 6, bitsPerSample: 8 })), 'A-law')
  assert.is(describeWavFormat(header({ formatTag: 7, bitsPerSample: 8 })), 'µ-law')
})

test('--bit-exact refuses every conversion, lossless or rounding; a RIFX file (samples unchanged, stored swapped) plays', () => {
  assert.is(planWav('x.wav', header({ container: 'RIFX', bigEndian: true }), { bitExact: true }).format, 's16le')
  assert.throws(
    () => planWav('x.wav', header({ bitsPerSample: 8, validBits: 8 }), { bitExact: true }),
    /forbids 8-bit unsigned -> s16le, a conversion/,
  )
  assert.throws(() => planWav('x.wav', header({ bitsPerSample: 32, validBits: 24 }), { bitExact: true }), /-> s24le, a conversion/)
  try {
    planWav('x.wav', header({ bitsPerSample: 32, validBits: 32 }), { bitExact: true, format: 's24le' })
    assert.unreachable('refused')
  } catch (err) {
    assert.instance(err, UsageError)
    assert.is((err as UsageError).code, 'NOT_BIT_EXACT')
    assert.is(
      (err as Error).message,
      'x.wav: --bit-exact forbids 32-bit integer -> s24le, which rounds (drop --bit-exact, or give a 16/24-bit integer or 32-bit float file)',
    )
  }
})

test("README's WAV table says what the code says, word for word", async () => {
  const { readFileSync } = await import('node:fs')
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const table = readme.slice(readme.indexOf('#### WAV files'), readme.indexOf('### `synchro join'))
  const said = [...table.matchAll(/^\|[^|]*\|[^|]*\| `([^`]+)` \|/gm)].map((m) => m[1])
  const code = new Set(
    [
      { container: 'RIFX' as const, bigEndian: true },
      { bitsPerSample: 8, validBits: 8 },
      { bitsPerSample: 32, validBits: 24 },
      { formatTag: 6, bitsPerSample: 8, validBits: 8 },
      { bitsPerSample: 32, validBits: 32 },
      { formatTag: 3, bitsPerSample: 64, validBits: 64 },
    ].map((h) => planWav('x.wav', header(h)).conversion),
  )
  assert.is(said.length, 6, `the table's conversions: ${said.join(', ')}`)
  for (const line of said) assert.ok(code.has(line!), `"${line}" is what the code says`)
})
test.run()
