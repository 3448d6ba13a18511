import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import wavefile from 'wavefile'
import { WavSink } from '../../src/audio/wav-sink.js'
import { WavSource } from '../../src/audio/wav-source.js'
import { UsageError } from '../../src/errors.js'
import { ManualClock } from '../helpers/manual-clock.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-wav-'))

for (const [format, depth, bytes] of [
  ['s16le', '16', 2],
  ['s24le', '24', 3],
  ['f32le', '32f', 4],
] as const) {
  test(`${format}: source bytes pass through a WAV sink bit-exact, as a valid WAV`, async () => {
    const frames = 1000
    const raw = Buffer.alloc(frames * 2 * bytes)
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 131 + 7) & 0xff
    if (format === 'f32le') for (let i = 0; i < raw.length; i += 4) raw.writeFloatLE(Math.sin(i), i)
    const src = new wavefile.WaveFile()
    src.fromScratch(2, 44100, depth, [])
    const header = Buffer.from(src.toBuffer())
    header.writeUInt32LE(raw.length, header.length - 4)
    header.writeUInt32LE(header.length - 8 + raw.length, 4)
    const inPath = join(dir, `in-${format}.wav`)
    writeFileSync(inPath, Buffer.concat([header, raw]))

    const source = new WavSource(inPath, new ManualClock())
    assert.equal(source.format, { rateHz: 44100, channels: 2, format })
    const outPath = join(dir, `out-${format}.wav`)
    const sink = new WavSink(outPath)
    sink.open(source.format)
    const clock = new ManualClock()
    const src2 = new WavSource(inPath, clock)
    let ended = false
    src2.start({ ...source.format, framesPerPacket: 300 }, { packet: (pcm) => sink.write(pcm), end: () => (ended = true) })
    await src2.whenReadAhead()
    await clock.advance(1000)
    assert.ok(ended)
    await sink.close()
    assert.is(readFileSync(outPath).toString('hex'), readFileSync(inPath).toString('hex'))
    const check = new wavefile.WaveFile(readFileSync(outPath))
    assert.is((check.data as { chunkSize: number }).chunkSize, raw.length)
  })
}

test('a WAV sink has valid sizes while still recording (a killed rig leaves a usable file)', () => {
  const path = join(dir, 'live.wav')
  const sink = new WavSink(path)
  sink.open({ rateHz: 8000, channels: 1, format: 's16le' })
  sink.write(new Uint8Array(8000 * 2 + 2))
  const w = new wavefile.WaveFile(readFileSync(path))
  assert.is((w.data as { chunkSize: number }).chunkSize, 8000 * 2 + 2)
})

test('a WAV sink that never learned a format leaves no empty file behind', async () => {
  const path = join(dir, 'never.wav')
  const sink = new WavSink(path)
  await sink.close()
  assert.not.ok(existsSync(path))
})

test('a WAV sink never destroys what it did not make: an existing take is kept until audio comes, a symlink, a device and a FIFO are refused', async () => {
  const kept = join(dir, 'earlier-take.wav')
  writeFileSync(kept, 'an earlier take')
  const never = new WavSink(kept)
  await never.close()
  assert.is(readFileSync(kept, 'utf8'), 'an earlier take', 'a rig that never played leaves it as it was')
  const over = new WavSink(kept)
  over.open({ rateHz: 8000, channels: 1, format: 's16le' })
  over.write(new Uint8Array(4))
  await over.close()
  assert.is((new wavefile.WaveFile(readFileSync(kept)).data as { chunkSize: number }).chunkSize, 4, 'recorded over once audio came')

  const target = join(dir, 'target.txt')
  writeFileSync(target, 'not yours')
  symlinkSync(target, join(dir, 'link.wav'))
  const refused = (p: string) => {
    try {
      new WavSink(p)
    } catch (e) {
      assert.instance(e, UsageError)
      return (e as Error).message
    }
    throw new Error(`${p} was opened`)
  }
  assert.is(refused(join(dir, 'link.wav')), `cannot write ${join(dir, 'link.wav')}: a symbolic link (name the file itself)`)
  assert.is(readFileSync(target, 'utf8'), 'not yours')
  assert.is(refused('/dev/null'), 'cannot write /dev/null: not a regular file (a WAV recording is a file of its own)')
  assert.ok(statSync('/dev/null').isCharacterDevice())
  const fifo = join(dir, 'pipe.wav')
  execFileSync('mkfifo', [fifo])
  assert.is(
    refused(fifo),
    `cannot write ${fifo}: not a regular file (a WAV recording is a file of its own)`,
    'refused at once, not held open',
  )
})

test('a WAV sink deletes the empty file it made only while the path is still that file', async () => {
  const path = join(dir, 'moved.wav')
  const sink = new WavSink(path)
  renameSync(path, join(dir, 'moved-away.wav'))
  writeFileSync(path, 'someone else put this here')
  await sink.close()
  assert.is(readFileSync(path, 'utf8'), 'someone else put this here')
})

test('unreadable and non-WAV sources are clear one-line errors; 8-bit plays converted', () => {
  const err = (f: () => unknown) => {
    try {
      f()
    } catch (e) {
      return e as UsageError
    }
    throw new Error('no error')
  }
  const missing = err(() => new WavSource(join(dir, 'nope.wav'), new ManualClock()))
  assert.instance(missing, UsageError)
  assert.match(missing.message, /cannot read .*nope.wav: no such file or directory/)
  writeFileSync(join(dir, 'junk.wav'), 'not a wav at all')
  assert.match(err(() => new WavSource(join(dir, 'junk.wav'), new ManualClock())).message, /is not a WAV file/)
  // wavefile's 8-bit is unsigned PCM: converted now, not refused (the edge cases: wav-source.test.ts).
  const w8 = new wavefile.WaveFile()
  w8.fromScratch(1, 8000, '8', [1, 2, 3])
  writeFileSync(join(dir, '8bit.wav'), w8.toBuffer())
  assert.is(new WavSource(join(dir, '8bit.wav'), new ManualClock()).conversion, '8-bit unsigned -> s16le (lossless)')
  assert.match(err(() => new WavSink(join(dir, 'no/such/dir.wav'))).message, /cannot write .*no such file or directory/)
})

test.run()
