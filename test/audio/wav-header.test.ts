// The chunk walk: only chunk headers and the fmt/ds64 chunks are read, never the audio;
// RIFF, RIFX and RF64 sizes as their specs say.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readWavHeader, type ReadAt } from '../../src/audio/wav-header.js'
import { buildWav, noiseBytes } from '../helpers/wav-fixtures.js'

/** A reader over a buffer that records how far into the file it was asked to read. */
function reader(file: Buffer): { readAt: ReadAt; furthest: () => number } {
  let furthest = 0
  return {
    readAt: (position, length) => {
      furthest = Math.max(furthest, Math.min(file.length, position + length))
      return file.subarray(position, position + length)
    },
    furthest: () => furthest,
  }
}

test('RIFF: the format, where the data starts and its size; nothing past the data chunk header is read', () => {
  const file = buildWav({
    bits: 24,
    channels: 6,
    rateHz: 96000,
    validBits: 24,
    data: noiseBytes(18 * 1000),
    between: [['LIST', new Uint8Array(5)]],
  })
  const r = reader(file)
  const h = readWavHeader('a.wav', r.readAt)
  assert.equal(
    { ...h },
    {
      container: 'RIFF',
      bigEndian: false,
      formatTag: 1,
      extensible: true,
      channels: 6,
      rateHz: 96000,
      bitsPerSample: 24,
      validBits: 24,
      dataOffset: h.dataOffset,
      dataBytes: 18000,
    },
  )
  assert.is(file.subarray(h.dataOffset, h.dataOffset + 8).toString('hex'), noiseBytes(8).toString('hex'))
  assert.is(r.furthest(), h.dataOffset, 'the walk stops at the data')
})

test('RIFX: big-endian numbers', () => {
  const h = readWavHeader('b.wav', reader(buildWav({ container: 'RIFX', bits: 16, rateHz: 44100, data: noiseBytes(400) })).readAt)
  assert.equal([h.container, h.bigEndian, h.rateHz, h.channels, h.dataBytes], ['RIFX', true, 44100, 2, 400])
})

test("RF64: the data's size is ds64's, past 4 GiB, and not the chunk's 0xFFFFFFFF", () => {
  const h = readWavHeader(
    'c.wav',
    reader(buildWav({ container: 'RF64', bits: 16, data: new Uint8Array(0), ds64DataBytes: 6 * 2 ** 30 + 4 })).readAt,
  )
  assert.is(h.dataBytes, 6 * 2 ** 30 + 4)
})

test('a RIFF data size never written is null (to the end of the file); a RIFF size that lies is ignored', () => {
  const file = buildWav({ bits: 16, data: noiseBytes(40), dataSizeField: 0xffffffff })
  file.writeUInt32LE(7, 4)
  assert.is(readWavHeader('d.wav', reader(file).readAt).dataBytes, null)
})

test('not a WAV, or one without fmt or data: one line each', () => {
  const why = (file: Buffer): string => {
    try {
      readWavHeader('e.wav', reader(file).readAt)
    } catch (err) {
      return (err as Error).message
    }
    throw new Error('accepted')
  }
  assert.is(why(Buffer.from('RIFF....AVI LIST')), 'e.wav is not a WAV file: it does not start with RIFF/RIFX/RF64 ... WAVE')
  assert.is(why(Buffer.from('RIFF\x04\x00\x00\x00WAVE', 'latin1')), 'e.wav is not a WAV file: no fmt chunk')
  const full = buildWav({ bits: 16, data: noiseBytes(4) })
  assert.is(why(full.subarray(0, 36)), 'e.wav is not a WAV file: no data chunk')
  const fmtLast = Buffer.concat([full.subarray(0, 12), full.subarray(36)])
  assert.is(why(fmtLast), 'e.wav is not a WAV file: the data chunk comes before the fmt chunk')
})

test.run()
