// The read-ahead: a fixed ring whatever the length, copies out of full buffers only,
// refills as they empty, and a file that turns out shorter ends where it ends.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { FileReadAhead } from '../../src/audio/file-read-ahead.js'
import { noiseBytes } from '../helpers/wav-fixtures.js'

function fileOf(bytes: Buffer, reads: number[] = []) {
  return (into: Uint8Array, position: number): Promise<number> => {
    reads.push(position)
    const part = bytes.subarray(position, position + into.byteLength)
    into.set(part)
    return Promise.resolve(part.length)
  }
}

const options = { close: () => {}, startByte: 0, fileFrameBytes: 4, showFrameBytes: 4, convert: null, bufferFrames: 100, buffers: 3 }

test('reads three buffers ahead, takes copies across buffers, refills as they empty', async () => {
  const bytes = noiseBytes(4 * 1000)
  const reads: number[] = []
  const ra = new FileReadAhead({ ...options, lengthBytes: bytes.length, read: fileOf(bytes, reads) })
  await ra.whenIdle()
  assert.equal(reads, [0, 400, 800], 'three buffers, no more')
  assert.is(ra.capacityBytes, 1200)
  const a = ra.take(150)!
  assert.ok(Buffer.from(a).equals(bytes.subarray(0, 600)), 'across the first two buffers')
  await ra.whenIdle()
  assert.equal(reads, [0, 400, 800, 1200], 'the emptied buffer refilled')
  const rest: Buffer[] = []
  for (;;) {
    await ra.whenIdle()
    const p = ra.take(128)
    if (!p || p.byteLength === 0) break
    rest.push(Buffer.from(p))
  }
  assert.ok(Buffer.concat([Buffer.from(a), ...rest]).equals(bytes))
  assert.is(ra.framesLeft, 0)
  assert.is(ra.take(128)!.byteLength, 0, 'empty at the end')
})

test('null while the disk has not delivered; converted into the show format', async () => {
  let release: () => void = () => {}
  const ra = new FileReadAhead({
    ...options,
    fileFrameBytes: 1,
    showFrameBytes: 2,
    lengthBytes: 10,
    convert: (src, dst) => src.forEach((b, i) => (dst[i * 2 + 1] = b)),
    read: (into) => new Promise((resolve) => (release = () => (into.fill(7), resolve(into.byteLength)))),
  })
  assert.is(ra.take(4), null)
  assert.not.ok(ra.ready)
  release()
  await ra.whenReady()
  assert.equal(Array.from(ra.take(2)!), [0, 7, 0, 7])
})

test('a file shorter than its size said ends where the bytes do, whole frames only', async () => {
  const bytes = noiseBytes(4 * 10 + 2)
  const ra = new FileReadAhead({ ...options, lengthBytes: 4 * 50, read: fileOf(bytes) })
  await ra.whenIdle()
  assert.is(ra.framesLeft, 10)
  assert.ok(Buffer.from(ra.take(100)!).equals(bytes.subarray(0, 40)))
})

test('a failed read is kept for the source to end with', async () => {
  const ra = new FileReadAhead({
    ...options,
    lengthBytes: 400,
    read: () => Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })),
  })
  await ra.whenIdle()
  assert.match(ra.error!.message, /EIO/)
  assert.ok(ra.ready, 'ready to say so')
})

test('a big buffer is converted in slices, the event loop running between them', async () => {
  const slices: number[] = []
  let turns = 0
  const ticker = setInterval(() => turns++, 0)
  const ra = new FileReadAhead({
    ...options,
    fileFrameBytes: 24,
    showFrameBytes: 24,
    bufferFrames: 96000,
    buffers: 1,
    lengthBytes: 24 * 96000,
    convert: (src, dst) => (slices.push(src.byteLength), dst.set(src)),
    read: (into) => Promise.resolve(into.byteLength),
  })
  await ra.whenIdle()
  clearInterval(ticker)
  assert.ok(slices.length >= 70, `${slices.length} slices`)
  assert.ok(Math.max(...slices) <= 32 * 1024)
  assert.is(
    slices.reduce((a, b) => a + b),
    24 * 96000,
  )
  assert.ok(turns > 0, 'timers ran while it converted')
})

test.run()
