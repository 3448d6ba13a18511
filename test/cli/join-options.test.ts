// join's options: one schema fed by flags and this rig's profile entry, defaults in one
// object, and the help and README tables agreeing with both.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { LIMITS } from '../../src/codec/limits.js'
import { flagName, optionName } from '../../src/cli/coerce.js'
import { parseProfile } from '../../src/profile/load.js'
import { UsageError } from '../../src/errors.js'
import {
  JOIN_DEFAULTS,
  JOIN_FLAGS,
  JOIN_HELP,
  JoinOptionsSchema,
  joinOptionsFromProfile,
  joinSettings,
  parseJoinOptions,
} from '../../src/cli/join-options.js'
import { helpParagraphs, readmeDefaults, shownDefault } from '../helpers/help-table.js'

const options = Object.keys(JoinOptionsSchema.shape)
const defaults: Record<string, unknown> = JOIN_DEFAULTS
/** Defaults worked out at run time, as help and README word them. */
const COMPUTED: Record<string, { help: string; readme: string }> = {
  name: { help: '(default: host name)', readme: 'host name' },
  maxLatency: { help: `(default ${LIMITS.maxLatencyMs.default})`, readme: String(LIMITS.maxLatencyMs.default) },
  latency: { help: "(default: the show's", readme: "the show's" },
}

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
const server = ['127.0.0.1:7400']

test('the flags parseArgs reads are the schema options (and --help)', () => {
  assert.equal(
    Object.keys(JOIN_FLAGS)
      .filter((f) => f !== 'help')
      .map(optionName)
      .sort(),
    [...options].sort(),
  )
  for (const key of Object.keys(defaults)) assert.ok(options.includes(key), `default for an option: ${key}`)
})

test('--help lists every option with its default, and nothing that is not an option', () => {
  const help = helpParagraphs(JOIN_HELP)
  for (const option of options) {
    const paragraph = help.get(flagName(option))
    assert.ok(paragraph, `--${flagName(option)} is in join --help`)
    const shown = shownDefault(defaults[option])
    const expected = shown !== undefined ? `(default ${shown}` : COMPUTED[option]?.help
    if (expected !== undefined) assert.ok(paragraph!.includes(expected), `--${flagName(option)} shows ${expected}: ${paragraph}`)
  }
  for (const flag of help.keys()) assert.ok(options.includes(optionName(flag)), `--${flag} in the help is an option`)
})

test("the README's join table lists every option with its default", () => {
  const table = readmeDefaults(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'), '### `synchro join HOST:PORT`')
  for (const option of options) {
    const flag = flagName(option)
    assert.ok(table.has(flag), `--${flag} is in the README table`)
    const shown = defaults[option] === false ? ['off', ''] : [shownDefault(defaults[option]) ?? COMPUTED[option]?.readme ?? '']
    assert.ok(shown.includes(table.get(flag)!), `--${flag}'s default in the README: ${table.get(flag)}, expected ${shown.join(' or ')}`)
  }
  for (const flag of table.keys()) assert.ok(options.includes(optionName(flag)), `--${flag} in the README is an option`)
})

test('defaults fill what neither profile nor flags give; the ceiling follows the latency', () => {
  const s = joinSettings({}, {}, server)
  assert.equal(
    [s.host, s.port, s.transport, s.sink, s.latency, s.offset, s.adaptive, s.maxLatency, s.connectTimeout, s.retry],
    ['127.0.0.1', 7400, 'tcp', 'null', undefined, 0, false, 200, 3000, false],
  )
  assert.is(s.latency, undefined, "no --latency: the show's, from INIT")
  assert.is(joinSettings({}, { offset: '-2.5' }, server).offset, -2.5, 'a signed, fractional offset')
  assert.is(
    refused(() => joinSettings({}, { offset: '1001' }, server)),
    '--offset must be between -1000 and 1000, got 1001',
  )
  assert.equal(s.route, { mapChannel: {}, mapController: {}, clock: true })
  assert.equal(s.deviceBuffer, { frames: 128 })
  assert.is(joinSettings({}, { latency: '500' }, server).maxLatency, 500, 'never below the latency')
  assert.is(
    refused(() => joinSettings({}, { latency: '50', maxLatency: '20' }, server)),
    '--max-latency must be between 50 and 10000, got 20',
  )
  assert.is(
    refused(() => joinSettings({}, { maxLatency: '10001' }, server)),
    '--max-latency must be between 20 and 10000, got 10001',
  )
})

test('one medium on stdout (audio or MIDI), from the flags or a profile; both is refused', () => {
  assert.equal(joinSettings({}, { midiOut: ['raw:-', 'log'] }, server).midiOut, ['raw:-', 'log'])
  assert.is(
    refused(() => joinSettings({ sink: 'raw:-' }, { midiOut: ['raw:-'] }, server)),
    '--sink raw:- and --midi-out raw:- all write stdout: give all but one a file or FIFO path',
  )
})

test("MIDI routing from flags and from a profile's route give the same route", () => {
  const flags = joinSettings(
    {},
    {
      midiChannels: '1-4,10',
      midiTypes: 'note-on,note-off',
      midiMapChannel: ['1:10'],
      midiMapCc: ['1:11'],
      midiNoClock: true,
      midiTiming: 'immediate',
    },
    server,
  )
  const p = parseProfile({
    name: 'x',
    rigs: [
      {
        name: 'a',
        midi: {
          channels: [1, 2, 3, 4, 10],
          types: ['note-on', 'note-off'],
          mapChannel: { '1': 10 },
          mapController: { '1': 11 },
          clock: false,
          timing: 'immediate',
        },
      },
    ],
  })
  const profile = joinSettings(joinOptionsFromProfile(p, p.rigs[0]!), {}, server)
  const expected = {
    channels: [1, 2, 3, 4, 10],
    types: ['note-on', 'note-off'],
    mapChannel: { '1': 10 },
    mapController: { '1': 11 },
    clock: false,
  }
  assert.equal(flags.route, expected)
  assert.equal(profile.route, expected)
  assert.equal([flags.midiTiming, profile.midiTiming], ['immediate', 'immediate'])
  assert.is(
    refused(() => joinSettings({}, { midiChannels: '0-4' }, server)),
    "--midi-channels: '0-4' is not a channel or range within 1-16",
  )
  assert.is(
    refused(() => joinSettings({}, { midiMapCc: ['1:300'] }, server)),
    "--midi-map-cc: '1:300' is not FROM:TO with controllers 0-127",
  )
  assert.match(
    refused(() => joinSettings({}, { midiTypes: 'note-on,chord' }, server)),
    /^--midi-types: unknown kind 'chord' \(kinds: note-off, /,
  )
  assert.is(
    refused(() => joinSettings({}, { midiTiming: 'soon' }, server)),
    "--midi-timing must be one of show, immediate, got 'soon'",
  )
})

test('--midi-timing: show by default, from the flag or the profile (flags win)', () => {
  assert.is(joinSettings({}, {}, server).midiTiming, 'show')
  const p = parseProfile({ name: 'x', rigs: [{ name: 'a', midi: { timing: 'immediate' } }] })
  assert.is(joinSettings(joinOptionsFromProfile(p, p.rigs[0]!), {}, server).midiTiming, 'immediate')
  assert.is(joinSettings(joinOptionsFromProfile(p, p.rigs[0]!), { midiTiming: 'show' }, server).midiTiming, 'show')
  assert.is(parseJoinOptions(['a:1', '--midi-timing', 'immediate'])!.midiTiming, 'immediate')
})

test('--midi-jitter is gone: refused with one line saying what replaces it, however it is written', () => {
  const line =
    '--midi-jitter is gone: MIDI now leaves with the audio of its show position by default (--midi-timing show); --midi-timing immediate sends it at once (see synchro join --help)'
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--midi-jitter', '5'])),
    line,
  )
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--midi-jitter=5', '--latency', 'soon'])),
    line,
  )
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--help', '--midi-jitter'])),
    line,
  )
})

test('--name: composed to NFC; one the operator could not type back is refused in one line', () => {
  assert.is(parseJoinOptions(['a:1', '--name', 'Bu\u0308hne'])!.name, 'Bühne')
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--name', 'stage  left'])),
    '--name: no leading, trailing or double spaces',
  )
  assert.match(
    refused(() => parseJoinOptions(['a:1', '--name', 'dr\u200bums'])),
    /^--name: printable characters and plain spaces only/,
  )
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--name', 'x'.repeat(65)])),
    '--name: at most 64 characters, got 65',
  )
})

test("a rig's profile entry: its own latency, offset and transport, else the show's transport (the show's latency comes in INIT); flags win", () => {
  const p = parseProfile({
    name: 'x',
    transport: 'udp',
    latencyMs: 30,
    rigs: [
      { name: 'a', sink: 'wav:a.wav', retry: true },
      { name: 'b', transport: 'tcp', latencyMs: 5, maxLatencyMs: 50, offsetMs: 3.5, adaptive: true },
    ],
  })
  assert.equal(joinOptionsFromProfile(p, p.rigs[0]!), {
    name: 'a',
    sink: 'wav:a.wav',
    transport: 'udp',
    retry: true,
    midiMapChannel: {},
    midiMapCc: {},
  })
  const b = joinSettings(joinOptionsFromProfile(p, p.rigs[1]!), { latency: '10' }, server)
  assert.equal([b.name, b.transport, b.latency, b.maxLatency, b.offset, b.adaptive], ['b', 'tcp', 10, 50, 3.5, true])
})

test('the command line: --help, the server address, a profile file', () => {
  assert.is(parseJoinOptions(['--help']), null)
  assert.is(
    refused(() => parseJoinOptions([])),
    'join needs the server as HOST:PORT, e.g. synchro join 10.0.0.5:7400',
  )
  assert.is(
    refused(() => parseJoinOptions(['a:1', 'b:2'])),
    "join takes one HOST:PORT, got also 'b:2'",
  )
  assert.is(
    refused(() => parseJoinOptions(['a:1', '--latency', 'soon'])),
    "--latency must be a number, got 'soon'",
  )
  const s = parseJoinOptions(['--profile', 'profiles/midi-controller.json', '--name', 'rack-right'])!
  assert.equal(
    [s.host, s.port, s.name, s.transport, s.midiTiming],
    ['127.0.0.1', 7420, 'rack-right', 'udp', 'show'],
    'HOST:PORT from the address',
  )
  assert.is(parseJoinOptions(['--profile', 'profiles/midi-controller.json', '--name', 'rack-left'])!.midiTiming, 'immediate')
  assert.match(
    refused(() => parseJoinOptions(['--profile', 'profiles/two-rig-tcp.json'])),
    /say which this is with --name/,
  )
})

test.run()
