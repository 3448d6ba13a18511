// A table of generated edge-case WAVs, each with what it must do: play bit-exact (the
// paced bytes are the file's data), play converted (with the conversion it states, the
// sample values checked), or be refused with one named line. Then a file larger than
// 4 GiB (sparse, RF64) streamed in the same memory as a small one.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { closeSync, ftruncateSync, mkdtempSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import alawmulaw from 'alawmulaw'
import { WavSource, type WavSourceOptions } from '../../src/audio/wav-source.js'
import { UsageError } from '../../src/errors.js'
import { ManualClock, settle } from '../helpers/manual-clock.js'
import { buildWav, noiseBytes, type WavLayout } from '../helpers/wav-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-wav-source-'))
let n = 0
function file(bytes: Uint8Array): string {
  const path = join(dir, `edge-${n++}.wav`)
  writeFileSync(path, bytes)
  return path
}

/** Plays the whole file on a manual clock, letting the read-ahead catch up between steps (so nothing is padded). */
async function play(path: string, o: WavSourceOptions = {}): Promise<{ src: WavSource; bytes: Buffer }> {
  const clock = new ManualClock()
  const src = new WavSource(path, clock, o)
  const out: Uint8Array[] = []
  let ended = false
  await src.whenReadAhead()
  src.start(
    { ...src.format, framesPerPacket: 300 },
    {
      packet: (p) => out.push(p),
      end: (err) => {
        assert.is(err, undefined)
        ended = true
      },
    },
  )
  for (let i = 0; !ended; i++) {
    if (i > 100_000) assert.unreachable('the source never ended')
    await src.whenReadAhead()
    await clock.advance(100)
  }
  assert.is(src.framesPadded, 0, 'the disk kept ahead')
  return { src, bytes: Buffer.concat(out) }
}

const le16 = (values: number[]): Buffer => Buffer.from(Int16Array.from(values).buffer)
const le32 = (values: number[]): Buffer => Buffer.from(Int32Array.from(values).buffer)
const swapped = (b: Buffer, n: number): Buffer => {
  const out = Buffer.from(b)
  for (let i = 0; i < out.length; i += n) out.subarray(i, i + n).reverse()
  return out
}

type Row =
  | { name: string; wav: WavLayout; o?: WavSourceOptions; exact: true; format: string }
  | { name: string; wav: WavLayout; o?: WavSourceOptions; converted: string; format: string; expect: Buffer }
  | { name: string; wav: WavLayout | Buffer; o?: WavSourceOptions; refused: string; line: RegExp }

const noise = (bytes: number) => noiseBytes(bytes)
const meta = (text: string): Uint8Array => Buffer.from(text, 'latin1')

const rows: Row[] = [
  { name: '16-bit stereo 44.1 kHz', wav: { bits: 16, rateHz: 44100, data: noise(4000) }, exact: true, format: 's16le' },
  { name: '24-bit mono 8 kHz', wav: { bits: 24, channels: 1, rateHz: 8000, data: noise(2400) }, exact: true, format: 's24le' },
  { name: '32-bit float 192 kHz', wav: { bits: 32, formatTag: 3, rateHz: 192000, data: noise(8000) }, exact: true, format: 'f32le' },
  { name: '6-ch EXTENSIBLE 24-bit', wav: { bits: 24, validBits: 24, channels: 6, data: noise(18 * 100) }, exact: true, format: 's24le' },
  {
    name: '8-ch EXTENSIBLE float',
    wav: { bits: 32, formatTag: 3, validBits: 32, channels: 8, data: noise(32 * 100) },
    exact: true,
    format: 'f32le',
  },
  {
    name: 'metadata chunks before and after fmt, one of odd size',
    wav: {
      bits: 16,
      data: noise(4000),
      before: [['LIST', meta('INFOISFT\x05\x00\x00\x00sox!\x00')]],
      between: [
        ['JUNK', meta('abc')],
        ['bext', new Uint8Array(602)],
      ],
    },
    exact: true,
    format: 's16le',
  },
  {
    name: 'RF64 with a chunk after the data: ds64 says where the data ends',
    wav: { container: 'RF64', bits: 16, data: noise(4000), after: [['LIST', meta('INFOICMT\x04\x00\x00\x00loud')]] },
    exact: true,
    format: 's16le',
  },
  {
    name: 'a RIFF size that lies',
    wav: { bits: 16, data: noise(4000), before: [['JUNK', new Uint8Array(28)]] },
    exact: true,
    format: 's16le',
  },
  {
    name: 'RIFX 16-bit: byte order swapped',
    wav: { container: 'RIFX', bits: 16, data: swapped(noise(4000), 2) },
    converted: 'big-endian (RIFX), byte order swapped (lossless)',
    format: 's16le',
    expect: noise(4000),
  },
  {
    name: 'RIFX 24-bit',
    wav: { container: 'RIFX', bits: 24, data: swapped(noise(3000), 3) },
    converted: 'big-endian (RIFX), byte order swapped (lossless)',
    format: 's24le',
    expect: noise(3000),
  },
  {
    name: 'RIFX 32-bit float',
    wav: { container: 'RIFX', bits: 32, formatTag: 3, data: swapped(noise(4000), 4) },
    converted: 'big-endian (RIFX), byte order swapped (lossless)',
    format: 'f32le',
    expect: noise(4000),
  },
  {
    name: '8-bit unsigned -> s16le: 0x80 is silence',
    wav: { bits: 8, channels: 1, data: Uint8Array.of(0x80, 0x00, 0xff, 0x81, 0x7f, 0x80) },
    converted: '8-bit unsigned -> s16le (lossless)',
    format: 's16le',
    expect: le16([0, -32768, 32512, 256, -256, 0]),
  },
  {
    name: '32-bit integer -> f32le by default',
    wav: { bits: 32, channels: 1, data: le32([0, 2 ** 30, -(2 ** 31), 2 ** 31 - 1]) },
    converted: '32-bit integer -> f32le (rounded)',
    format: 'f32le',
    expect: Buffer.from(Float32Array.of(0, 0.5, -1, 1).buffer),
  },
  {
    name: '32-bit integer -> s24le with --format s24le (rounded to nearest, clamped)',
    wav: { bits: 32, channels: 1, data: le32([0x100, 0x17f, 0x180, -0x100, 2 ** 31 - 1]) },
    o: { format: 's24le' },
    converted: '32-bit integer -> s24le (rounded)',
    format: 's24le',
    expect: Buffer.from([0x01, 0, 0, 0x01, 0, 0, 0x02, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
  },
  {
    name: 'RIFX 32-bit integer -> f32le',
    wav: { container: 'RIFX', bits: 32, channels: 1, data: swapped(le32([2 ** 30]), 4) },
    converted: 'big-endian (RIFX), byte order swapped; 32-bit integer -> f32le (rounded)',
    format: 'f32le',
    expect: Buffer.from(Float32Array.of(0.5).buffer),
  },
  {
    name: '24 valid bits in a 32-bit EXTENSIBLE container -> s24le',
    wav: { bits: 32, validBits: 24, channels: 2, data: le32([0x123456 << 8, -0x000001 << 8]) },
    converted: '24-bit in a 32-bit container -> s24le (lossless)',
    format: 's24le',
    expect: Buffer.from([0x56, 0x34, 0x12, 0xff, 0xff, 0xff]),
  },
  {
    name: '64-bit float -> f32le',
    wav: { bits: 64, formatTag: 3, channels: 1, data: Buffer.from(Float64Array.of(0.25, -1, 0.1).buffer) },
    converted: '64-bit float -> f32le (rounded)',
    format: 'f32le',
    expect: Buffer.from(Float32Array.of(0.25, -1, 0.1).buffer),
  },
  {
    name: 'µ-law -> s16le (G.711): 0xFF and 0x7F are silence, 0x80 and 0x00 full scale',
    wav: { bits: 8, formatTag: 7, channels: 1, data: Uint8Array.of(0xff, 0x7f, 0x80, 0x00) },
    converted: 'µ-law -> s16le (lossless)',
    format: 's16le',
    expect: le16([0, 0, 32124, -32124]),
  },
  {
    name: 'A-law -> s16le (G.711): 0xD5 and 0x55 are the smallest steps',
    wav: { bits: 8, formatTag: 6, channels: 1, data: Uint8Array.of(0xd5, 0x55, 0xaa, 0x2a) },
    converted: 'A-law -> s16le (lossless)',
    format: 's16le',
    expect: le16([8, -8, 32256, -32256]),
  },
  {
    name: 'µ-law as an EXTENSIBLE SubFormat',
    wav: { bits: 8, formatTag: 7, validBits: 8, channels: 1, data: Uint8Array.of(0x80) },
    converted: 'µ-law -> s16le (lossless)',
    format: 's16le',
    expect: le16([32124]),
  },
  {
    name: 'IMA ADPCM',
    wav: { bits: 4, formatTag: 0x11, channels: 1, data: noise(256) },
    refused: 'SOURCE_FORMAT',
    line: /: format 0x0011 WAV is not supported \(it plays 8\/16\/24\/32-bit integer, 32\/64-bit float, A-law and µ-law\)$/,
  },
  {
    name: '12-bit integer',
    wav: { bits: 12, channels: 1, data: noise(300) },
    refused: 'SOURCE_FORMAT',
    line: /: 12-bit integer WAV is not supported/,
  },
  {
    name: '32-bit integer under --bit-exact',
    wav: { bits: 32, data: noise(800) },
    o: { bitExact: true },
    refused: 'NOT_BIT_EXACT',
    line: /: --bit-exact forbids 32-bit integer -> f32le, which rounds/,
  },
  {
    name: '8-bit unsigned under --bit-exact: lossless, still a conversion',
    wav: { bits: 8, channels: 1, data: noise(800) },
    o: { bitExact: true },
    refused: 'NOT_BIT_EXACT',
    line: /: --bit-exact forbids 8-bit unsigned -> s16le, a conversion/,
  },
  {
    name: 'µ-law under --bit-exact',
    wav: { bits: 8, formatTag: 7, channels: 1, data: noise(800) },
    o: { bitExact: true },
    refused: 'NOT_BIT_EXACT',
    line: /: --bit-exact forbids µ-law -> s16le, a conversion/,
  },
  {
    name: 'RIFX 16-bit under --bit-exact: the same samples, stored the other way round: plays',
    wav: { container: 'RIFX', bits: 16, data: swapped(noise(4000), 2) },
    o: { bitExact: true },
    converted: 'big-endian (RIFX), byte order swapped (lossless)',
    format: 's16le',
    expect: noise(4000),
  },
  {
    name: '64-bit float under --bit-exact',
    wav: { bits: 64, formatTag: 3, data: noise(1600) },
    o: { bitExact: true },
    refused: 'NOT_BIT_EXACT',
    line: /--bit-exact forbids 64-bit float -> f32le, which rounds/,
  },
  {
    name: '32-bit integer with --format s16le',
    wav: { bits: 32, data: noise(800) },
    o: { format: 's16le' },
    refused: 'FORMAT_CLASH',
    line: /is 32-bit integer, which plays as f32le or s24le, but --format s16le was given/,
  },
  {
    name: '16-bit with --format f32le',
    wav: { bits: 16, data: noise(800) },
    o: { format: 'f32le' },
    refused: 'FORMAT_CLASH',
    line: /is 16-bit integer, which plays as s16le, but --format f32le was given/,
  },
  {
    name: 'an empty data chunk',
    wav: { bits: 16, data: new Uint8Array(0) },
    refused: 'SOURCE_EMPTY',
    line: /: its data chunk is empty: there is no audio to play$/,
  },
  {
    name: 'a file cut before its audio',
    wav: { bits: 16, rateHz: 8000, channels: 1, data: noise(16000), cutDataAt: 0 },
    refused: 'SOURCE_EMPTY',
    line: /: data chunk says 1\.0 s, the file holds 0\.0 s: it was cut before the audio, there is nothing to play$/,
  },
  {
    name: 'not a WAV',
    wav: Buffer.from('hello, this is text'),
    refused: 'SOURCE_NOT_WAV',
    line: /is not a WAV file: it does not start with RIFF/,
  },
  {
    name: 'RIFF without a data chunk',
    wav: buildWav({ bits: 16, data: noise(8) }).subarray(0, 36),
    refused: 'SOURCE_NOT_WAV',
    line: /is not a WAV file: no data chunk$/,
  },
]

for (const row of rows) {
  test(`edge WAV: ${row.name}`, async () => {
    const bytes = Buffer.isBuffer(row.wav) ? row.wav : buildWav(row.wav)
    const path = file(bytes)
    if ('refused' in row) {
      try {
        new WavSource(path, new ManualClock(), row.o)
      } catch (err) {
        assert.instance(err, UsageError)
        assert.is((err as UsageError).code, row.refused)
        assert.match((err as Error).message, row.line)
        assert.ok((err as Error).message.startsWith(path) || (err as Error).message.includes(path), 'names the file')
        assert.not.match((err as Error).message, /\n/, 'one line')
        return
      }
      assert.unreachable('expected a refusal')
      return
    }
    const { src, bytes: played } = await play(path, row.o)
    assert.is(src.format.format, row.format)
    assert.equal(src.warnings, [])
    if ('exact' in row) {
      assert.is(src.conversion, null)
      assert.ok(played.equals(Buffer.from(row.wav.data)), 'the paced bytes are the file data')
    } else {
      assert.is(src.conversion, row.converted)
      assert.is(played.toString('hex'), row.expect.toString('hex'))
    }
  })
}

test('µ-law and A-law decode as alawmulaw says, for every code', async () => {
  for (const [tag, codec] of [
    [7, alawmulaw.mulaw],
    [6, alawmulaw.alaw],
  ] as const) {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i)
    const { bytes } = await play(file(buildWav({ bits: 8, formatTag: tag, channels: 1, data: codes })))
    assert.equal(Array.from(new Int16Array(bytes.buffer, bytes.byteOffset, 256)), Array.from(codec.decode(codes)))
  }
})

test('a truncated data chunk says how long it says and how long it holds, and plays what is there', async () => {
  // 10 s declared at 8 kHz mono 16-bit, 3.2 s in the file.
  const data = noise(160000)
  const path = file(buildWav({ bits: 16, channels: 1, rateHz: 8000, data, cutDataAt: 51200 }))
  const { src, bytes } = await play(path)
  assert.equal(src.warnings, [`${path}: data chunk says 10.0 s, the file holds 3.2 s: playing 3.2 s (the file was cut short)`])
  assert.is(src.durationS, 3.2)
  assert.ok(bytes.equals(data.subarray(0, 51200)))
})

test('a data size never written (0xFFFFFFFF in RIFF) plays to the end of the file and says so', async () => {
  const data = noise(4000)
  const path = file(buildWav({ bits: 16, data, dataSizeField: 0xffffffff }))
  const { src, bytes } = await play(path)
  assert.match(src.warnings[0]!, /the data chunk's size was never written .*: playing to the end of the file, 0\.0 s$/)
  assert.ok(bytes.equals(data))
})

/** Paces 20 s of a file (ten times the read-ahead, so every buffer is refilled several times); the memory it grew. */
async function paceTwentySeconds(src: WavSource, clock: ManualClock): Promise<{ rssMb: number; arrayMb: number; bytes: number }> {
  await src.whenReadAhead()
  global.gc?.()
  const before = process.memoryUsage()
  let bytes = 0
  src.start(
    { ...src.format, framesPerPacket: 128 },
    { packet: (p) => (bytes += p.byteLength), end: () => assert.unreachable('not at the end') },
  )
  for (let t = 0; t < 20_000; t += 100) {
    await src.whenReadAhead()
    await clock.advance(100)
  }
  src.stop()
  global.gc?.()
  const after = process.memoryUsage()
  assert.is(src.framesPadded, 0)
  assert.ok(bytes >= 20 * 48000 * 4 - 512, `${bytes} bytes paced`)
  return { rssMb: (after.rss - before.rss) / 2 ** 20, arrayMb: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20, bytes }
}

test('a file over 4 GiB (sparse RF64) starts, reports its duration, and streams in the memory of a small one', async () => {
  // 5 GiB of 48 kHz stereo 16-bit silence: 7.8 hours. ftruncate makes it sparse: no disk used.
  const dataBytes = 5 * 2 ** 30
  const header = buildWav({ container: 'RF64', bits: 16, data: new Uint8Array(0), ds64DataBytes: dataBytes })
  const path = join(dir, 'huge.wav')
  const fd = openSync(path, 'w')
  writeSync(fd, header)
  ftruncateSync(fd, header.length + dataBytes)
  closeSync(fd)
  const clock = new ManualClock()
  const src = new WavSource(path, clock)
  assert.is(src.frames, dataBytes / 4)
  assert.is(src.durationS, dataBytes / 4 / 48000)
  assert.match(src.description, /\(48000 Hz, 2 ch, s16le, 27962\.0 s\)$/)
  assert.ok(src.readAheadBytes <= 4 * 48000 * 4, `read-ahead ${src.readAheadBytes} bytes: two seconds at most`)
  // The baseline, in the same run: a 30 s file (5.5 MiB) paced the same 20 s.
  const smallClock = new ManualClock()
  const small = new WavSource(file(buildWav({ bits: 16, data: noise(30 * 48000 * 4) })), smallClock)
  assert.is(small.readAheadBytes, src.readAheadBytes, 'the same read-ahead whatever the size')
  const base = await paceTwentySeconds(small, smallClock)
  const huge = await paceTwentySeconds(src, clock)
  const mb = (m: { rssMb: number; arrayMb: number }) => `rss ${m.rssMb.toFixed(1)} MiB, arrayBuffers ${m.arrayMb.toFixed(1)} MiB`
  console.log(`  20 s paced (${(huge.bytes / 2 ** 20).toFixed(1)} MiB): 30 s file grew ${mb(base)}; 5 GiB RF64 grew ${mb(huge)}`)
  // Generous bounds for the GC's timing: a leak of the paced audio would be 3.7 MiB per 20 s, a file read whole 5 GiB.
  assert.ok(huge.rssMb < 32, `rss grew ${huge.rssMb.toFixed(1)} MiB`)
  assert.ok(huge.arrayMb < 8, `arrayBuffers grew ${huge.arrayMb.toFixed(1)} MiB`)
})

test('started before its first read landed, the show waits for it; a disk late mid-show is silence, counted, and the file goes on after it', async () => {
  const data = noise(48000 * 4 * 3)
  const path = file(buildWav({ bits: 16, data }))
  const fd = openSync(path, 'r')
  // A disk that answers only when the test lets it.
  const held: Array<() => void> = []
  const read = (into: Uint8Array, position: number): Promise<number> =>
    new Promise((resolve) => held.push(() => resolve(readSync(fd, into, 0, into.byteLength, position))))
  const release = async (): Promise<void> => {
    while (held.length) held.shift()!()
    await settle()
  }
  const clock = new ManualClock()
  const src = new WavSource(path, clock, { read })
  const out: Uint8Array[] = []
  src.start({ ...src.format, framesPerPacket: 128 }, { packet: (p) => out.push(p), end: () => {} })
  await clock.advance(50)
  assert.is(out.length, 0, 'nothing before the first buffer')
  await release()
  await clock.advance(0)
  assert.is(out.length, 1, 'the first packet once it landed')
  // The four buffers (2 s) are read; past them the disk holds the fifth back.
  for (let i = 0; i < 4; i++) await release()
  await clock.advance(2100)
  assert.ok(src.framesPadded > 0, 'silence while the disk is late')
  const padded = src.framesPadded
  await release()
  await clock.advance(100)
  assert.is(src.framesPadded, padded, 'no more once it delivered')
  const audio = Buffer.concat(out.filter((p) => !Buffer.from(p).equals(Buffer.alloc(p.byteLength))))
  assert.ok(audio.equals(data.subarray(0, audio.length)), 'the file in order, silence only inserted')
  assert.is(Buffer.concat(out).length, audio.length + padded * 4)
  src.stop()
  closeSync(fd)
})

test('unreadable: a missing file and a directory are one line each', () => {
  for (const [path, why] of [
    [join(dir, 'nope.wav'), /^cannot read .*nope\.wav: no such file or directory$/],
    [dir, /^cannot read .*: is a directory$/],
  ] as const) {
    try {
      new WavSource(path, new ManualClock())
      assert.unreachable('expected a refusal')
    } catch (err) {
      assert.is((err as UsageError).code, 'SOURCE_UNREADABLE')
      assert.match((err as Error).message, why)
    }
  }
})

test.run()
