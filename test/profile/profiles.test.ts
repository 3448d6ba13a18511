import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadProfile, parseProfile } from '../../src/profile/load.js'
import { profileJsonSchema } from '../../src/profile/schema.js'
import { rigOf } from '../../src/profile/rig-of.js'
import { parseServeOptions, serveOptionsFromProfile } from '../../src/cli/serve-options.js'
import { joinOptionsFromProfile } from '../../src/cli/join-options.js'
import { ProfileError } from '../../src/errors.js'

const profiles = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles')
const shipped = readdirSync(profiles).filter((f) => /\.(json|ya?ml)$/.test(f) && f !== 'schema.json')
const dir = mkdtempSync(join(tmpdir(), 'synchro-profile-'))

test('every shipped profile loads, says when to use it, and is in the profiles README', () => {
  assert.ok(shipped.length >= 3, shipped.join())
  const readme = readFileSync(join(profiles, 'README.md'), 'utf8')
  for (const f of shipped) {
    const p = loadProfile(join(profiles, f))
    assert.ok(p.description && p.description.length > 20, `${f} says when to use it`)
    assert.ok(readme.includes(f), `${f} is listed in profiles/README.md`)
  }
})

test('profiles/schema.json is the schema synchro profile schema prints (regenerate it if this fails)', () => {
  assert.equal(JSON.parse(readFileSync(join(profiles, 'schema.json'), 'utf8')), profileJsonSchema())
})

test('defaults are filled', () => {
  const p = parseProfile({ name: 'x', rigs: [{ name: 'a' }] })
  assert.is(p.transport, 'tcp')
  assert.is(p.port, 7400)
  assert.equal(p.format, { rateHz: 48000, channels: 2, sampleFormat: 's16le', framesPerPacket: 128 })
  assert.is(p.rigs[0]!.sink, 'null')
  assert.equal(p.rigs[0]!.midi.mapChannel, {})
})

const BAD: Array<[string, unknown, string[]]> = [
  [
    'a channel out of range',
    { name: 'x', rigs: [{ name: 'a' }, { name: 'b', midi: { channels: [1, 17] } }] },
    ['rigs[1].midi.channels[1]: expected 1-16, got 17'],
  ],
  [
    'several problems, each on its own line',
    { name: '', transport: 'sctp', port: 70000 },
    [
      'name: expected a show name, got ""',
      'transport: Invalid option: expected one of "tcp"|"udp", got "sctp"',
      'port: expected 0-65535, got 70000',
    ],
  ],
  ['an unknown field', { name: 'x', rigz: [] }, ["(top level): unknown field 'rigz'"]],
  [
    'a bad spec',
    { name: 'x', source: 'cd:1', rigs: [{ name: 'a', sink: 'speaker' }] },
    [
      'source: expected a source spec (tone, wav, raw, none, device), got "cd:1"',
      'rigs[0].sink: expected a sink spec (null, wav, raw, device), got "speaker"',
    ],
  ],
  [
    'a rig named twice',
    { name: 'x', rigs: [{ name: 'a' }, { name: 'a' }] },
    ['rigs[1].name: expected a unique rig name, \'a\' is listed twice, got "a"'],
  ],
  [
    'a bad remap',
    { name: 'x', rigs: [{ name: 'a', midi: { mapChannel: { '0': 3 }, mapController: { '1': 200 } } }] },
    ['rigs[0].midi.mapChannel.0: expected a channel 1-16 as the key, got "0"', 'rigs[0].midi.mapController.1: expected 0-127, got 200'],
  ],
  ['a missing name', { rigs: [] }, ['name: Invalid input: expected string, received undefined']],
  [
    'a MIDI timing that is not show or immediate, and the retired jitterMs',
    {
      name: 'x',
      rigs: [
        { name: 'a', midi: { timing: 'late' } },
        { name: 'b', midi: { jitterMs: 5 } },
      ],
    },
    ['rigs[0].midi.timing: Invalid option: expected one of "show"|"immediate", got "late"', "rigs[1].midi: unknown field 'jitterMs'"],
  ],
]
for (const [what, data, lines] of BAD) {
  test(`bad profile: ${what}`, () => {
    try {
      parseProfile(data, 'show.json')
      assert.unreachable('accepted')
    } catch (err) {
      assert.instance(err, ProfileError)
      assert.equal(
        (err as ProfileError).problems,
        lines.map((l) => `show.json: ${l}`),
      )
    }
  })
}

test('unreadable and malformed files say so in one line', () => {
  assert.throws(
    () => loadProfile(join(dir, 'none.json')),
    (e: unknown) => /cannot read profile .*none.json: no such file or directory/.test((e as Error).message),
  )
  writeFileSync(join(dir, 'bad.json'), '{ "name": ')
  assert.throws(
    () => loadProfile(join(dir, 'bad.json')),
    (e: unknown) => /bad.json is not valid JSON/.test((e as Error).message),
  )
  writeFileSync(join(dir, 'bad.yaml'), 'name: [unclosed')
  assert.throws(
    () => loadProfile(join(dir, 'bad.yaml')),
    (e: unknown) => /bad.yaml is not valid YAML/.test((e as Error).message),
  )
})

test('a profile becomes options, and flags on the command line win', () => {
  const path = join(profiles, 'two-rig-tcp.json')
  const p = loadProfile(path)
  const fromProfile = serveOptionsFromProfile(p, 'serve')
  assert.is(fromProfile.port, 7400, 'the profile gives a port')
  const s = parseServeOptions(['--profile', path, '--port', '0', '--json'], 'serve')!
  assert.equal([s.port, s.json], [0, true], 'the flags win')
  assert.is(fromProfile.clients, 2, 'clients default to the rigs listed')
  assert.is(s.clients, 2)
  const m = loadProfile(join(profiles, 'midi-controller.json'))
  const left = joinOptionsFromProfile(m, rigOf(m, 'rack-left'))
  assert.equal(Object.fromEntries(Object.entries(left).filter(([k]) => k.startsWith('midi'))), {
    midiOut: ['port:Synth'],
    midiChannels: [1, 2, 3, 4],
    midiMapChannel: { '1': 10 },
    midiMapCc: { '1': 11 },
    midiTiming: 'immediate',
  })
  assert.throws(() => rigOf(m, undefined), /lists rigs rack-left, rack-right: say which this is with --name/)
  assert.throws(() => rigOf(m, 'drums'), /lists no rig named 'drums'/)
})

test.run()
