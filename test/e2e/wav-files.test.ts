// WAV files that are not in a show format, through the real CLI: converted or swapped on
// the server and recorded by a rig byte for byte as stated; refused before listening with
// one line where the wire cannot carry them or --bit-exact forbids the conversion.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, run, serveOnFreePort, synchro } from '../helpers/cli.js'
import { buildWav, noiseBytes, wavData } from '../helpers/wav-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-wav-e2e-'))
const path = (name: string) => join(dir, name)
test.after(killAll)

/** Serves `file` to one rig recording into a WAV; the server's listening event and stderr, the rig's samples. */
async function serveToRig(file: string, extra: string[] = []) {
  const { server, port } = await serveOnFreePort(['--source', `wav:${file}`, ...extra])
  const out = path(`out-${Math.random().toString(36).slice(2)}.wav`)
  const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', `wav:${out}`, '--json'])
  const [r, s] = await Promise.all([rig.exit, server.exit])
  assert.equal([r.code, s.code], [0, 0], rig.stderr + server.stderr)
  return { listening: await server.event('listening'), stderr: server.stderr, samples: wavData(readFileSync(out)) }
}

test('8-bit unsigned: converted to s16le on the server, said on stderr and in --json, recorded as converted', async () => {
  const u8 = noiseBytes(8000 * 1)
  writeFileSync(path('u8.wav'), buildWav({ bits: 8, channels: 1, rateHz: 8000, data: u8 }))
  const { listening, stderr, samples } = await serveToRig(path('u8.wav'))
  assert.is(listening.conversion, '8-bit unsigned -> s16le (lossless)')
  assert.equal([listening.format.format, listening.format.rateHz, listening.format.channels], ['s16le', 8000, 1])
  assert.match(stderr, /^synchro: .*u8\.wav \(8000 Hz, 1 ch, s16le, 1\.0 s\): 8-bit unsigned -> s16le \(lossless\)$/m)
  const expected = Buffer.alloc(u8.length * 2)
  u8.forEach((b, i) => expected.writeInt16LE((b - 128) << 8, i * 2))
  assert.ok(samples.equals(expected), 'the rig recorded (u8 - 128) << 8 for every sample')
})

test('RIFX: the byte order swapped on the server, the rig records the little-endian samples', async () => {
  const le = noiseBytes(48000 * 2 * 2)
  const be = Buffer.from(le)
  for (let i = 0; i < be.length; i += 2) be.subarray(i, i + 2).reverse()
  writeFileSync(path('rifx.wav'), buildWav({ container: 'RIFX', bits: 16, data: be }))
  const { listening, samples } = await serveToRig(path('rifx.wav'))
  assert.is(listening.conversion, 'big-endian (RIFX), byte order swapped (lossless)')
  assert.ok(samples.equals(le), 'the rig recorded the file swapped to little-endian')
})

test('65 channels, 4 kHz, or a rounding conversion under --bit-exact: one line, exit 2, never listening', async () => {
  writeFileSync(path('wide.wav'), buildWav({ bits: 16, channels: 65, data: noiseBytes(65 * 2 * 100) }))
  writeFileSync(path('slow.wav'), buildWav({ bits: 16, rateHz: 4000, data: noiseBytes(4 * 100) }))
  writeFileSync(path('s32.wav'), buildWav({ bits: 32, data: noiseBytes(8 * 100) }))
  for (const [file, extra, line] of [
    ['wide.wav', [], /^synchro: .*wide\.wav .* cannot be the show's audio: it has 65 channels, and the protocol carries 1-64/],
    ['slow.wav', [], /^synchro: .*slow\.wav .* cannot be the show's audio: it has 4000 Hz, and the protocol carries 8000-384000 Hz/],
    ['s32.wav', ['--bit-exact'], /^synchro: .*s32\.wav: --bit-exact forbids 32-bit integer -> f32le, which rounds/],
  ] as const) {
    const r = await run(['serve', '--port', '0', '--json', '--source', `wav:${path(file)}`, ...extra])
    assert.is(r.code, 2, r.stderr)
    assert.match(r.stderr.trim(), line)
    assert.is(r.stderr.trim().split('\n').length, 1, 'one line')
    assert.not.match(r.stdout, /"listening"/, 'refused before listening')
  }
})

test.run()
