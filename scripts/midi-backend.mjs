#!/usr/bin/env node
// Chooses the RtMidi backend easymidi uses on Linux (docs/MIDI.md).
//   node scripts/midi-backend.mjs jack     build @julusian/midi for JACK MIDI and install it
//   node scripts/midi-backend.mjs default  back to the package's own prebuilt binary (ALSA)
// The JACK build goes to node_modules/@julusian/midi/build/Release/midi.node, the path the
// package's loader (pkg-prebuilds) tries before its prebuilt binaries: easymidi then loads
// it with no change to either package. Needs libjack-jackd2-dev (or PipeWire's libjack),
// g++ and make; `npm ci` puts the prebuilt binary back.

import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const pkg = dirname(require.resolve('@julusian/midi/package.json'))
const installed = join(pkg, 'build', 'Release')
const which = process.argv[2]

if (which === 'default') {
  rmSync(join(pkg, 'build'), { recursive: true, force: true })
  console.log('MIDI backend: the prebuilt @julusian/midi binary (ALSA on Linux)')
} else if (which === 'jack') {
  if (process.platform !== 'linux') {
    console.error('midi-backend: the JACK build is for Linux (macOS and Windows use CoreMIDI and WinMM)')
    process.exit(2)
  }
  const gyp = process.env.npm_config_node_gyp ?? findNodeGyp()
  const args = [gyp, 'rebuild', '--loglevel=warn', '--directory', join(root, 'native', 'midi-jack')]
  // Debian's nodejs ships its headers in /usr/include/node: use them rather than download.
  const nodedir = process.env.npm_config_nodedir ?? (existsSync('/usr/include/node/node.h') ? '/usr' : undefined)
  if (nodedir) args.push(`--nodedir=${nodedir}`)
  execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  mkdirSync(installed, { recursive: true })
  copyFileSync(join(root, 'native', 'midi-jack', 'build', 'Release', 'midi.node'), join(installed, 'midi.node'))
  writeFileSync(join(installed, 'synchro-backend.json'), JSON.stringify({ backend: 'jack' }) + '\n')
  console.log(`MIDI backend: JACK (${join(installed, 'midi.node')}); a JACK server must be running (JACK_DEFAULT_SERVER names it)`)
} else {
  console.error('usage: node scripts/midi-backend.mjs jack|default')
  process.exit(2)
}

function findNodeGyp() {
  // npm bundles node-gyp; outside `npm run` find it next to npm itself.
  const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim()
  const candidate = join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
  if (!existsSync(candidate)) throw new Error('node-gyp not found: install it (npm i -g node-gyp) or run through npm run midi:jack')
  return candidate
}
