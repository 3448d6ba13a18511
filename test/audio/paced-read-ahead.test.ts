// A file's audio paced out of its read-ahead: a packet per period from buffers already full,
// the last one short, a stray byte left out, then end(); stop() stops the packets. (A late
// disk's silence, counted, is tested through the WAV source: test/audio/wav-source.test.ts.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { paceReadAhead } from '../../src/audio/paced-read-ahead.js'
import { FileReadAhead, type ReadFile } from '../../src/audio/file-read-ahead.js'
import type { AudioFormat } from '../../src/codec/format.js'
import { ManualClock } from '../helpers/manual-clock.js'

const show: AudioFormat = { rateHz: 1000, channels: 1, format: 's16le', framesPerPacket: 10 } // 10 ms, 20-byte packets

function readAheadOf(bytes: Uint8Array): FileReadAhead {
  const read: ReadFile = async (into, position) => {
    const part = bytes.subarray(position, position + into.byteLength)
    into.set(part)
    return part.byteLength
  }
  return new FileReadAhead({
    read,
    close: () => {},
    startByte: 0,
    lengthBytes: Math.floor(bytes.byteLength / 2) * 2,
    fileFrameBytes: 2,
    showFrameBytes: 2,
    convert: null,
    bufferFrames: 8,
    buffers: 4,
  })
}

test('one packet per 10 ms, the last short, a stray byte left out, then end at the next period', async () => {
  const clock = new ManualClock()
  const bytes = Uint8Array.from({ length: 51 }, (_, i) => i) // 25 frames and one stray byte
  const ra = readAheadOf(bytes)
  const sent: Array<{ atMs: number; p: number[] }> = []
  let endedAt: number | undefined
  let padded = 0
  await ra.whenIdle()
  paceReadAhead(
    clock,
    show,
    ra,
    {
      packet: (p) => sent.push({ atMs: clock.now(), p: Array.from(p) }),
      end: (err) => (assert.is(err, undefined), (endedAt = clock.now())),
    },
    'x.raw',
    (n) => (padded += n),
  )
  for (let i = 0; endedAt === undefined; i++) {
    if (i > 100) assert.unreachable('never ended')
    await ra.whenIdle()
    await clock.advance(10)
  }
  assert.equal(
    sent.map((s) => [s.atMs, s.p.length]),
    [
      [0, 20],
      [10, 20],
      [20, 10],
    ],
  )
  assert.equal(
    sent.flatMap((s) => s.p),
    Array.from({ length: 50 }, (_, i) => i),
  )
  assert.is(endedAt, 30)
  assert.is(padded, 0, 'the disk kept ahead')
})

test('stop() stops the packets', async () => {
  const clock = new ManualClock()
  const ra = readAheadOf(new Uint8Array(2000))
  await ra.whenIdle()
  let n = 0
  const paced = paceReadAhead(
    clock,
    show,
    ra,
    { packet: () => n++, end: () => assert.unreachable('stopped before the end') },
    'x.raw',
    () => {},
  )
  await clock.advance(25)
  paced.stop()
  await clock.advance(1000)
  assert.is(n, 3)
})

test.run()
