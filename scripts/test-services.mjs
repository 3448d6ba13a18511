#!/usr/bin/env node
// Runs before `npm test` (pretest): makes sure the virtual-port MIDI test has a real MIDI
// backend. A machine with an ALSA sequencer (/dev/snd/seq) has one already. One without
// (containers, CI, this project's build machine) gets RtMidi's JACK backend: jackd2 and
// libjack-jackd2-dev from Debian when missing (as root, with apt-get), then
// `npm run midi:jack`. The test starts and stops its own private jackd. On such a machine
// ALSA MIDI cannot work anyway, so switching easymidi to JACK takes nothing away.

import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const say = (line) => console.log(`test services: ${line}`)

if (process.platform !== 'linux' || existsSync('/dev/snd/seq')) process.exit(0)
const have = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
if (!have('jackd') || !existsSync('/usr/include/jack/jack.h')) {
  if (process.getuid?.() !== 0 || !have('apt-get')) {
    say('no ALSA sequencer and no JACK here: the virtual-port MIDI test needs jackd2 and libjack-jackd2-dev (docs/MIDI.md)')
    process.exit(0)
  }
  say('installing jackd2 and libjack-jackd2-dev for the virtual-port MIDI test')
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'jackd2', 'libjack-jackd2-dev'], {
    stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  })
}
const require = createRequire(join(root, 'package.json'))
let pkg
try {
  pkg = dirname(require.resolve('@julusian/midi/package.json'))
} catch {
  say('easymidi is not installed (optional dependency): MIDI ports cannot be tested')
  process.exit(0)
}
if (!existsSync(join(pkg, 'build', 'Release', 'synchro-backend.json'))) {
  say('building the JACK MIDI backend (npm run midi:jack)')
  execFileSync(process.execPath, [join(root, 'scripts', 'midi-backend.mjs'), 'jack'], { stdio: 'inherit' })
}
