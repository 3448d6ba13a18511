#!/usr/bin/env node
// Runs before `npm test` (pretest): makes sure the console's end-to-end test has tmux (its
// pseudo-terminal), the sound-card tests have JACK and ALSA's jack plugin (a userspace audio
// path), and the virtual-port MIDI test has a real MIDI backend. A machine with an ALSA sequencer (/dev/snd/seq) has one already. One without
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

if (process.platform !== 'linux') process.exit(0)
const have = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const alsa = existsSync('/dev/snd/seq')
const need = []
if (!have('tmux')) need.push('tmux')
if (!have('jackd')) need.push('jackd2')
// PortAudio reaches JACK through ALSA's jack plugin (the sound-card tests' loopback device).
let plugin = false
try {
  execFileSync('sh', ['-c', 'ls /usr/lib/*/alsa-lib/libasound_module_pcm_jack.so'], { stdio: 'ignore' })
  plugin = true
} catch {}
if (!plugin) need.push('libasound2-plugins')
if (!alsa && !existsSync('/usr/include/jack/jack.h')) need.push('libjack-jackd2-dev')
if (need.length > 0) {
  if (process.getuid?.() !== 0 || !have('apt-get')) {
    say(`the console, sound-card and MIDI port tests need ${need.join(', ')}: install them, or run bash .ci/run`)
  } else {
    say(`installing ${need.join(', ')} for the console, sound-card and MIDI port tests`)
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...need], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  }
}
if (alsa || !have('jackd')) process.exit(0)
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
