// Bad input at the command line and from the network: one clear line, the right exit code, no stack.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import net from 'node:net'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAll, run, serveOnFreePort, synchro } from '../helpers/cli.js'
import { HEADER_BYTES } from '../../src/codec/header.js'
import { until } from '../helpers/wait.js'
import { chunk, header, track } from '../helpers/midi-fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-err-'))
test.after(killAll)

// MIDI files a stage tech may be handed, written here (never checked in): cut short, format 2, empty.
const cutMid = join(dir, 'cut.mid')
writeFileSync(cutMid, Uint8Array.from([...header(0, 1, 480), ...chunk('MTrk', [0, 0x90, 60, 100], 400)]))
const patternsMid = join(dir, 'patterns.mid')
writeFileSync(patternsMid, Uint8Array.from([...header(2, 1, 480), ...track([0, 0x90, 60, 100])]))
const emptyMid = join(dir, 'empty.mid')
writeFileSync(emptyMid, '')

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n')
  assert.is(lines.length, 1, `expected one line on stderr, got:\n${stderr}`)
  assert.not.match(stderr, /\n\s+at /, 'no stack trace')
  return lines[0]!
}

const USAGE: Array<[string, string[], RegExp]> = [
  ['unknown command', ['dance'], /^synchro: unknown command 'dance' \(try synchro --help\)$/],
  ['unknown flag', ['serve', '--loud'], /^synchro: unknown option --loud \(see synchro serve --help\)$/],
  ['flag without value', ['serve', '--port'], /^synchro: --port needs a value \(see synchro serve --help\)$/],
  ['bad number', ['serve', '--port', 'abc'], /^synchro: --port must be a whole number, got 'abc'$/],
  ['out of range', ['serve', '--frames', '3'], /^synchro: --frames must be between 16 and 16384, got 3$/],
  ['bad format', ['serve', '--format', 'mp3'], /^synchro: --format must be one of s16le, s24le, f32le, got 'mp3'$/],
  ['bad source', ['serve', '--source', 'cd:1'], /unknown source 'cd:1': use tone\[:HZ\], wav:PATH, raw:PATH\|-, device\[:NAME\] or none/],
  [
    'missing file',
    ['serve', '--source', 'wav:/nonexistent/show.wav'],
    /^synchro: cannot read \/nonexistent\/show.wav: no such file or directory$/,
  ],
  ['tone above Nyquist', ['serve', '--source', 'tone:30000'], /tone frequency must be between 0 and 24000 Hz/],
  ['no server given', ['join'], /join needs the server as HOST:PORT/],
  ['bad host:port', ['join', 'localhost'], /'localhost' is not HOST:PORT/],
  ['bad sink', ['join', '127.0.0.1:1', '--sink', 'speaker'], /unknown sink 'speaker'/],
  [
    'unwritable sink',
    ['join', '127.0.0.1:1', '--sink', 'wav:/nonexistent/dir/x.wav'],
    /^synchro: cannot write \/nonexistent\/dir\/x.wav: no such file or directory$/,
  ],
  [
    'bad MIDI output',
    ['join', '127.0.0.1:1', '--midi-out', 'speaker'],
    /^synchro: unknown MIDI output 'speaker': use port:NAME, virtual:NAME, log, file:PATH.mid or raw:PATH\|-$/,
  ],
  ['bad MIDI input', ['serve', '--midi-in', 'keys'], /^synchro: unknown MIDI input 'keys': use port:NAME/],
  ['MIDI file that is not one', ['serve', '--midi-in', 'file:/etc/hostname'], /^synchro: \/etc\/hostname is not a Standard MIDI File: /],
  [
    'missing MIDI file',
    ['serve', '--midi-in', 'file:/nonexistent.mid'],
    /^synchro: cannot read \/nonexistent.mid: no such file or directory$/,
  ],
  [
    'bad channel list',
    ['join', '127.0.0.1:1', '--midi-channels', '0-4'],
    /^synchro: --midi-channels: '0-4' is not a channel or range within 1-16$/,
  ],
  [
    'bad channel map',
    ['join', '127.0.0.1:1', '--midi-map-channel', '1:17'],
    /^synchro: --midi-map-channel: '1:17' is not FROM:TO with channels 1-16$/,
  ],
  ['bad MIDI kind', ['join', '127.0.0.1:1', '--midi-types', 'note-on,chord'], /^synchro: --midi-types: unknown kind 'chord'/],
  ['MIDI-only show with no MIDI', ['serve', '--source', 'none'], /^synchro: --source none streams no audio: give MIDI/],
  [
    'no clients without control',
    ['serve', '--clients', '0'],
    /^synchro: --clients 0 waits for an init command: add --control - to send it$/,
  ],
  ['control and raw stdin', ['serve', '--control', '-', '--source', 'raw:-'], /--control - and --source raw:- all read stdin/],
  [
    'device buffer in seconds',
    ['join', '127.0.0.1:1', '--device-buffer', '1s'],
    /^synchro: --device-buffer must be frames \(128\) or milliseconds \(2.5ms\), got '1s'$/,
  ],
  [
    'device buffer too small',
    ['serve', '--device-buffer', '0.1ms'],
    /^synchro: --device-buffer in milliseconds must be between 0.5ms and 340ms, got 0.1ms$/,
  ],
  ['two stdin readers, MIDI', ['serve', '--source', 'raw:-', '--midi-in', 'raw:-'], /--source raw:- and --midi-in raw:- all read stdin/],
  [
    'a MIDI file cut short',
    ['serve', '--midi-in', `file:${cutMid}`],
    /^synchro: .*cut\.mid is cut short: track 1 of 1 declares 400 bytes, 4 are there$/,
  ],
  ['a format 2 MIDI file', ['serve', '--midi-in', `file:${patternsMid}`], /^synchro: .*patterns\.mid is format 2 \(independent patterns/],
  [
    'an empty MIDI file',
    ['join', '127.0.0.1:1', '--midi-in', `file:${emptyMid}`],
    /^synchro: .*empty\.mid is empty \(0 bytes\), not a Standard MIDI File$/,
  ],
  [
    'audio and MIDI both on stdout',
    ['join', '127.0.0.1:1', '--sink', 'raw:-', '--midi-out', 'raw:-'],
    /^synchro: --sink raw:- and --midi-out raw:- all write stdout: give all but one a file or FIFO path$/,
  ],
]
for (const [name, args, message] of USAGE) {
  test(`usage error: ${name} exits 2 with one line`, async () => {
    const r = await run(args)
    assert.is(r.code, 2, r.stderr)
    assert.match(oneLine(r.stderr), message)
  })
}

// A device or environment fault is not a bad command line: it exits 1 (the README's table).
const NO_JACK = { JACK_DEFAULT_SERVER: 'synchro-no-such-server', JACK_NO_START_SERVER: '1' }

test('a MIDI port where there is no MIDI system: exit 1, one line saying what to use instead', async () => {
  // No ALSA sequencer on this machine; with the JACK build (CI), a JACK server that is not running.
  const r = await run(['serve', '--midi-in', 'virtual:keys'], 10_000, NO_JACK)
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stderr.trim().split('\n').at(-1)!, /^synchro: no MIDI system: .*use file:PATH.mid, raw:PATH\|- or log instead/)
  const d = await run(['devices', '--json'], 10_000, { JACK_DEFAULT_SERVER: 'synchro-no-such-server', JACK_NO_START_SERVER: '1' })
  assert.is(d.code, 0)
  const listed = JSON.parse(d.stdout.trim().split('\n').at(-1)!)
  assert.is(listed.midi.available, false)
  assert.match(listed.midi.reason, /no MIDI system/)
})

test('a device fault exits 1, not 2: --midi-in port:X with no MIDI system', async () => {
  const r = await run(['serve', '--midi-in', 'port:X'], 10_000, NO_JACK)
  assert.is(r.code, 1, r.stderr)
  assert.match(r.stderr.trim().split('\n').at(-1)!, /^synchro: no MIDI system: /)
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace')
})

test('a WAV source whose format clashes with explicit flags is refused', async () => {
  const { writeNoiseWav } = await import('../helpers/wav-fixtures.js')
  writeNoiseWav(join(dir, 'a.wav'), 0.1, { rateHz: 44100 })
  const r = await run(['serve', '--source', `wav:${join(dir, 'a.wav')}`, '--rate', '48000'])
  assert.is(r.code, 2)
  assert.match(oneLine(r.stderr), /has rate 44100 but --rate 48000 was given/)
  writeFileSync(join(dir, 'text.wav'), 'hello')
  const r2 = await run(['serve', '--source', `wav:${join(dir, 'text.wav')}`])
  assert.match(oneLine(r2.stderr), /is not a WAV file/)
})

test('port in use: exit 1, one line naming the port', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1')
  await new Promise((r) => blocker.once('listening', r))
  const port = (blocker.address() as net.AddressInfo).port
  const r = await run(['serve', '--host', '127.0.0.1', '--port', String(port)])
  blocker.close()
  assert.is(r.code, 1)
  assert.match(oneLine(r.stderr), new RegExp(`^synchro: cannot listen on 127.0.0.1:${port}: port ${port} is already in use`))
})

test('connection refused: exit 1 at once, one line', async () => {
  const probe = net.createServer().listen(0, '127.0.0.1')
  await new Promise((r) => probe.once('listening', r))
  const port = (probe.address() as net.AddressInfo).port
  await new Promise((r) => probe.close(r))
  const t0 = Date.now()
  const r = await run(['join', `127.0.0.1:${port}`])
  assert.is(r.code, 1)
  assert.match(oneLine(r.stderr), new RegExp(`^synchro: cannot reach 127.0.0.1:${port}: connection refused`))
  assert.ok(Date.now() - t0 < 3000)
})

test('a server that accepts but never speaks: the rig gives up within a few seconds', async () => {
  const mute = net.createServer(() => {}).listen(0, '127.0.0.1')
  await new Promise((r) => mute.once('listening', r))
  const port = (mute.address() as net.AddressInfo).port
  const t0 = Date.now()
  const r = await run(['join', `127.0.0.1:${port}`], 10_000)
  mute.close()
  assert.is(r.code, 1)
  assert.match(oneLine(r.stderr), /^synchro: lost the server: nothing heard for 3\.\d s$/)
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`)
})

test('Ctrl-C on a rig still waiting for HELLO exits 0 and leaves no empty WAV', async () => {
  const { existsSync } = await import('node:fs')
  let connected = false
  const mute = net.createServer(() => (connected = true)).listen(0, '127.0.0.1')
  await new Promise((r) => mute.once('listening', r))
  const port = (mute.address() as net.AddressInfo).port
  const wav = join(dir, 'never-played.wav')
  const rig = synchro(['join', `127.0.0.1:${port}`, '--sink', `wav:${wav}`])
  // Connected, so it waits for HELLO (its stop signals are handled before it connects).
  await until(() => connected, 10_000, 'the rig to connect')
  rig.kill('SIGINT')
  const { code } = await rig.exit
  mute.close()
  assert.is(code, 0, rig.stderr)
  assert.not.ok(existsSync(wav), 'no 0-byte WAV left behind')
})

test('a server of another protocol version is refused naming both versions', async () => {
  const v2 = net
    .createServer((s) => {
      const header = Buffer.alloc(HEADER_BYTES)
      header.writeUInt16BE(0x5359, 0)
      header.writeUInt8(2, 2) // protocol v2
      header.writeUInt8(1, 3) // HELLO
      s.write(header)
      s.on('error', () => {})
    })
    .listen(0, '127.0.0.1')
  await new Promise((r) => v2.once('listening', r))
  const port = (v2.address() as net.AddressInfo).port
  const r = await run(['join', `127.0.0.1:${port}`])
  v2.close()
  assert.is(r.code, 1)
  assert.match(oneLine(r.stderr), /^synchro: server speaks Synchro protocol v2, this side speaks v1: run the same Synchro version on both$/)
})

test('a huge declared length from a peer is refused before any allocation; the server serves on', async () => {
  const { server, port } = await serveOnFreePort(['--clients', '1', '--duration', '0.5'])
  const evil = net.connect(port, '127.0.0.1', () => {
    const header = Buffer.alloc(HEADER_BYTES)
    header.writeUInt16BE(0x5359, 0)
    header.writeUInt8(1, 2)
    header.writeUInt8(2, 3)
    header.writeUInt32BE(0xffff_fff0, 16)
    evil.write(header)
  })
  evil.on('error', () => {})
  const rejected = await server.event('rejected')
  assert.match(rejected.reason, /declares 4294967280 payload bytes, more than the 16384 allowed/)
  const rig = synchro(['join', `127.0.0.1:${port}`, '--json'])
  assert.equal([(await rig.exit).code, (await server.exit).code], [0, 0])
  evil.destroy()
})

test('--help prints usage for each command', async () => {
  for (const args of [['--help'], ['serve', '--help'], ['join', '--help']]) {
    const r = await run(args)
    assert.is(r.code, 0)
    assert.match(r.stdout, /usage:\s+synchro/)
  }
})

test.run()
