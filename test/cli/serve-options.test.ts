// serve's options: one schema fed by flags and a profile, defaults in one object, and the
// help and README tables agreeing with both.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { LIMITS } from '../../src/codec/limits.js'
import { flagName, optionName } from '../../src/cli/coerce.js'
import { parseProfile } from '../../src/profile/load.js'
import { UsageError } from '../../src/errors.js'
import {
  parseServeOptions,
  SERVE_DEFAULTS,
  SERVE_FLAGS,
  SERVE_HELP,
  ServeOptionsSchema,
  serveOptionsFromProfile,
  serveSettings,
} from '../../src/cli/serve-options.js'
import { helpParagraphs, readmeDefaults, shownDefault } from '../helpers/help-table.js'

const options = Object.keys(ServeOptionsSchema.shape)
const defaults: Record<string, unknown> = SERVE_DEFAULTS
/** Defaults worked out at run time, as help and README word them. */
const COMPUTED: Record<string, string> = { name: 'host name' }

const refused = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    assert.instance(err, UsageError)
    return (err as Error).message
  }
  assert.unreachable('accepted')
  return ''
}

test('the flags parseArgs reads are the schema options (and --help)', () => {
  assert.equal(
    Object.keys(SERVE_FLAGS)
      .filter((f) => f !== 'help')
      .map(optionName)
      .sort(),
    [...options].sort(),
  )
  for (const key of Object.keys(defaults)) assert.ok(options.includes(key), `default for an option: ${key}`)
})

test('--help lists every option with its default, and nothing that is not an option', () => {
  const help = helpParagraphs(SERVE_HELP)
  for (const option of options) {
    const paragraph = help.get(flagName(option))
    assert.ok(paragraph, `--${flagName(option)} is in serve --help`)
    const shown = shownDefault(defaults[option])
    const expected =
      shown !== undefined ? `(default ${shown}` : COMPUTED[option] !== undefined ? `(default: ${COMPUTED[option]})` : undefined
    if (expected !== undefined) assert.ok(paragraph!.includes(expected), `--${flagName(option)} shows ${expected}: ${paragraph}`)
  }
  for (const flag of help.keys()) assert.ok(options.includes(optionName(flag)), `--${flag} in the help is an option`)
})

test("the README's serve table lists every option with its default", () => {
  const table = readmeDefaults(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'), '### `synchro serve`')
  for (const option of options) {
    const flag = flagName(option)
    assert.ok(table.has(flag), `--${flag} is in the README table`)
    // A switch is off unless given: the table says "off" or nothing.
    const shown = defaults[option] === false ? ['off', ''] : [shownDefault(defaults[option]) ?? COMPUTED[option] ?? '']
    assert.ok(shown.includes(table.get(flag)!), `--${flag}'s default in the README: ${table.get(flag)}, expected ${shown.join(' or ')}`)
  }
  for (const flag of table.keys()) assert.ok(options.includes(optionName(flag)), `--${flag} in the README is an option`)
})

test('defaults fill what neither profile nor flags give', () => {
  const s = serveSettings({}, {}, 'serve')
  assert.equal(
    [s.transport, s.host, s.port, s.source, s.rate, s.channels, s.format, s.frames, s.clients, s.pingMs, s.mtu, s.redundancy],
    ['tcp', '0.0.0.0', 7400, 'tone:440', 48000, 2, 's16le', LIMITS.framesPerPacket.default, 1, 2000, 1500, 0],
  )
  assert.equal(s.deviceBuffer, { frames: 128 })
  assert.equal([s.control, s.json, s.bitExact, s.duration, s.name], [false, false, false, undefined, undefined])
  assert.equal(s.explicit, { rateHz: false, channels: false, format: false })
})

test('a profile is serve options; flags win over it, option by option', () => {
  const p = parseProfile({
    name: 'Show',
    transport: 'udp',
    port: 7410,
    source: 'tone:220',
    durationS: 2,
    mtu: 1400,
    redundancy: 1,
    format: { rateHz: 44100, channels: 1, sampleFormat: 's24le', framesPerPacket: 64 },
    midi: { inputs: ['file:a.mid'] },
    rigs: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
  })
  assert.equal(serveOptionsFromProfile(p, 'serve'), {
    transport: 'udp',
    host: '0.0.0.0',
    port: 7410,
    source: 'tone:220',
    name: 'Show',
    frames: 64,
    clients: 3,
    rate: 44100,
    channels: 1,
    format: 's24le',
    duration: 2,
    mtu: 1400,
    redundancy: 1,
    midiIn: ['file:a.mid'],
  })
  const s = serveSettings(serveOptionsFromProfile(p, 'serve'), { port: '0', midiIn: ['file:b.mid'] }, 'serve')
  assert.equal([s.port, s.transport, s.midiIn, s.duration], [0, 'udp', ['file:b.mid'], 2])
  assert.equal(s.explicit, { rateHz: true, channels: true, format: true }, 'the profile asked for the format')
})

test('profile rules: a WAV source sets the format; in the console listed rigs do not start the show', () => {
  const wav = parseProfile({ name: 'x', source: 'wav:show.wav', format: { rateHz: 44100 } })
  const o = serveOptionsFromProfile(wav, 'serve')
  assert.equal([o.rate, o.channels, o.format], [undefined, undefined, undefined])
  assert.is(o.clients, 1, 'at least one rig')
  const rigs = parseProfile({ name: 'x', rigs: [{ name: 'a' }, { name: 'b' }] })
  assert.is(serveOptionsFromProfile(rigs, 'console').clients, undefined)
  assert.is(serveSettings(serveOptionsFromProfile(rigs, 'console'), {}, 'console').clients, 0, 'the operator starts it')
  assert.is(serveOptionsFromProfile(parseProfile({ name: 'x', clients: 2 }), 'console').clients, 2, 'unless clients is given')
})

test('checked against each other: control, stdin and the console', () => {
  assert.is(
    refused(() => serveSettings({}, { clients: '0' }, 'serve')),
    '--clients 0 waits for an init command: add --control - to send it',
  )
  assert.is(serveSettings({}, { clients: '0', control: '-' }, 'serve').control, true)
  assert.is(
    refused(() => serveSettings({}, { control: 'x' }, 'serve')),
    "--control takes - (stdin), got 'x'",
  )
  assert.is(
    refused(() => serveSettings({}, { source: 'raw:-', midiIn: ['raw:-'] }, 'serve')),
    '--source raw:- and --midi-in raw:- all read stdin: give all but one a file or FIFO path',
  )
  assert.is(
    refused(() => serveSettings({}, { control: '-' }, 'console')),
    'the console reads the keyboard: --control - and raw:- (stdin) are for synchro serve',
  )
  assert.is(
    refused(() => serveSettings({}, { midiOut: ['raw:-'] }, 'console')),
    'the console draws on the terminal: --midi-out raw:- (stdout) is for synchro serve',
  )
  assert.is(
    refused(() => serveSettings({}, { midiOut: ['raw:-', 'log', 'raw:-'] }, 'serve')),
    '--midi-out raw:- and --midi-out raw:- all write stdout: give all but one a file or FIFO path',
  )
  assert.equal(serveSettings({}, { midiOut: ['raw:-'] }, 'serve').midiOut, ['raw:-'])
  const console = serveSettings({}, {}, 'console')
  assert.equal([console.control, console.clients, console.mode], [true, 0, 'console'])
})

test('the command line: --help, bad flags, and a profile file', () => {
  assert.is(parseServeOptions(['--help'], 'serve'), null)
  assert.is(
    refused(() => parseServeOptions(['--frames', '3'], 'serve')),
    '--frames must be between 16 and 16384, got 3',
  )
  assert.is(
    refused(() => parseServeOptions(['--loud'], 'serve')),
    'unknown option --loud (see synchro serve --help)',
  )
  const s = parseServeOptions(['--profile', 'profiles/low-latency-udp.yaml', '--clients', '1'], 'serve')!
  assert.equal([s.transport, s.port, s.clients, s.profile], ['udp', 7410, 1, 'profiles/low-latency-udp.yaml'])
})

test('--name: at most 128 characters, which every rig accepts in HELLO (a longer one let no rig join)', () => {
  assert.is(parseServeOptions(['--name', 'x'.repeat(128)], 'serve')!.name, 'x'.repeat(128))
  assert.is(
    refused(() => parseServeOptions(['--name', 'x'.repeat(129)], 'serve')),
    '--name: at most 128 characters, got 129',
  )
})

test.run()
