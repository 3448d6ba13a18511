// Virtual MIDI ports end to end on a real MIDI backend, through easymidi and RtMidi: another
// program plays into Synchro's virtual input on the server and reads the rig's virtual
// output. On a machine with no ALSA sequencer (CI) the backend is JACK MIDI against a
// private `jackd -d dummy` that this test starts and stops (npm test's pretest builds the
// JACK backend; docs/MIDI.md).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { killAll, serveOnFreePort, synchro } from '../helpers/cli.js'
import { untilExists } from '../helpers/wait.js'
import { midiBackend } from '../../src/midi/ports.js'

const here = dirname(fileURLToPath(import.meta.url))
const server = `synchro-test-${process.pid}`
let jackd: ChildProcess | undefined
const env: NodeJS.ProcessEnv = { JACK_DEFAULT_SERVER: server, JACK_NO_START_SERVER: '1' }

test.before(async () => {
  const backend = midiBackend()
  if (backend === 'alsa' && existsSync('/dev/snd/seq')) return
  if (backend !== 'jack') {
    throw new Error(
      'no MIDI backend for the virtual-port test: no ALSA sequencer and the JACK backend is not built (npm run midi:jack; needs jackd2 and libjack-jackd2-dev, see docs/MIDI.md)',
    )
  }
  jackd = spawn('jackd', ['-n', server, '-d', 'dummy', '-r', '48000', '-p', '256'], { stdio: 'ignore', env: { ...process.env, ...env } })
  const socket = `/dev/shm/jack_${server}_${process.getuid?.() ?? 0}_0`
  await untilExists(socket, 10_000).catch(() => {
    throw new Error('jackd -d dummy did not start')
  })
})

test.after(async () => {
  killAll()
  jackd?.kill('SIGTERM')
  if (jackd && jackd.exitCode === null) await new Promise((r) => jackd!.once('exit', r))
})

test("a program plays into the server's virtual input and reads the rig's virtual output", async () => {
  const { server: serve, port } = await serveOnFreePort(
    ['--source', 'none', '--midi-in', 'virtual:synchro-in', '--clients', '1', '--control', '-'],
    env,
  )
  const rig = synchro(
    ['join', `127.0.0.1:${port}`, '--transport', 'udp', '--json', '--midi-out', 'virtual:synchro-out', '--midi-out', 'log'],
    { env },
  )
  await rig.event('init')
  const devices = synchro(['devices', '--json'], { env })
  const listed = await devices.event('devices')
  assert.ok(listed.midi.available, JSON.stringify(listed))
  assert.ok(
    listed.midi.outputs.some((n: string) => n.includes('synchro-in')),
    `the server's virtual input is listed: ${listed.midi.outputs}`,
  )
  const peer = spawn(process.execPath, [join(here, '..', 'helpers', 'midi-port-peer.cjs'), 'synchro-in', 'synchro-out', '10'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  peer.stdout!.on('data', (c) => (out += c))
  const code = await new Promise((r) => peer.once('exit', r))
  const got = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
  assert.is(code, 0, out)
  const notes = got.filter((g) => g.got?._type === 'noteon').map((g) => [g.got.channel, g.got.note, g.got.velocity])
  assert.equal(
    notes,
    Array.from({ length: 10 }, (_, i) => [i % 16, 60 + i, 100]),
  )
  assert.ok(
    got.some((g) => g.got?._type === 'sysex' && g.got.bytes.join() === [0xf0, 0x7d, 1, 2, 3, 0xf7].join()),
    'sysex through',
  )
  assert.ok(
    got.some((g) => g.got?._type === 'noteoff'),
    'note-off through',
  )
  serve.child.stdin!.write('terminate\n')
  assert.is((await serve.exit).code, 0)
  assert.is((await rig.exit).code, 0)
})

test.run()
