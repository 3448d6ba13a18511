// `--source raw:PATH`: a regular file is paced like a WAV (streamed from disk, one packet per
// period, in bounded memory whatever its size); a FIFO is sent as its writer hands bytes over, whole packets, the tail on close.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawSource } from '../../src/audio/raw-source.js'
import { SynchroError } from '../../src/errors.js'
import { systemClock } from '../../src/clock.js'
import type { AudioFormat } from '../../src/codec/format.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { nextEvent, until } from '../helpers/wait.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-raw-source-'))
const format = { rateHz: 1000, channels: 2, format: 's16le' as const }
const show: AudioFormat = { ...format, framesPerPacket: 10 } // 40-byte packets every 10 ms

test('a regular file: paced, its bytes in 40-byte packets, the tail short, then end', async () => {
  const path = join(dir, 'file.raw')
  const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i))
  writeFileSync(path, bytes)
  const clock = new ManualClock()
  const src = new RawSource(path, format, clock)
  assert.equal([src.needsPacing, src.description], [true, `raw ${path} (1000 Hz, 2 ch, s16le)`])
  const got: Array<{ atMs: number; p: Uint8Array }> = []
  let ended = false
  // Read from disk ahead of the pacer, off the event loop: the test waits for it rather than guessing how long it takes.
  await src.whenReadAhead()
  src.start(show, { packet: (p) => got.push({ atMs: clock.now(), p: Uint8Array.from(p) }), end: () => (ended = true) })
  await clock.advance(5)
  assert.is(got.length, 1, 'one packet at start, the next not yet due')
  await clock.advance(100)
  assert.equal(
    got.map((g) => g.atMs),
    [0, 10, 20],
  )
  assert.equal(Buffer.concat(got.map((g) => g.p)), bytes.subarray(0, 100))
  assert.ok(ended)
  src.stop()
})

test('a file over 2 GiB (sparse, 3 GiB) plays from its start in the same few buffers', async () => {
  const path = join(dir, 'big.raw')
  execFileSync('truncate', ['-s', '3G', path])
  const clock = new ManualClock()
  const src = new RawSource(path, format, clock)
  await src.whenReadAhead()
  const got: Uint8Array[] = []
  src.start(show, { packet: (p) => got.push(p), end: () => assert.unreachable('3 GiB does not end in 50 ms') })
  await clock.advance(45)
  assert.is(got.length, 5)
  assert.ok(got.every((p) => p.byteLength === 40 && p.every((b) => b === 0)))
  src.stop()
  rmSync(path)
})

test('a FIFO: not paced, whole packets as the writer sends, the tail (whole frames) when it closes', async () => {
  const path = join(dir, 'pcm.fifo')
  execFileSync('mkfifo', [path])
  const src = new RawSource(path, format, systemClock)
  assert.is(src.needsPacing, false, 'whoever writes into a pipe is the clock')
  const got: Uint8Array[] = []
  let ended: Error | undefined | null = null
  src.start(show, { packet: (p) => got.push(Uint8Array.from(p)), end: (err) => (ended = err) })
  const writer = createWriteStream(path)
  await nextEvent(writer, 'open')
  writer.write(Buffer.alloc(30, 1))
  writer.write(Buffer.alloc(30, 2))
  await until(() => got.length === 1, 5000, 'the first whole packet')
  assert.equal(Array.from(got[0]!), [...Array(30).fill(1), ...Array(10).fill(2)])
  writer.end(Buffer.alloc(3, 3)) // 20 bytes pending + 3: five whole frames, 3 stray bytes
  await until(() => ended !== null, 5000, 'the end of the pipe')
  assert.is(ended, undefined, 'a pipe that closes is the end of the source, not an error')
  assert.equal(
    got.map((p) => p.byteLength),
    [40, 20],
  )
  src.stop()
})

test('a file that cannot be read: SOURCE_UNREADABLE with the reason in words', () => {
  const err = thrown(() => new RawSource(join(dir, 'missing.raw'), format, systemClock))
  assert.instance(err, SynchroError)
  assert.is(err.code, 'SOURCE_UNREADABLE')
  assert.is(err.message, `cannot read ${join(dir, 'missing.raw')}: no such file or directory`)
})

test.run()
