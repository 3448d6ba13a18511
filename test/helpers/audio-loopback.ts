// A real audio path on a machine with no sound card: a private `jackd -d dummy` (a real
// 48 kHz clock) with JACK's loopback ports, and an ALSA PCM of `type jack` (wrapped in
// `type plug`) that PortAudio opens as the device "synchro": what is played to it comes
// back as its capture. HOME decides which .asoundrc ALSA reads, so the test's own is used.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { untilExists } from './wait.js'

export const DEVICE = 'synchro'
/** The jack PCM itself, unwrapped: at JACK's 48 kHz only, as a card with a fixed clock is (PortAudio still converts sample formats for it). */
export const FLOAT_DEVICE = 'synchro_jack'

export class AudioLoopback {
  readonly env: NodeJS.ProcessEnv
  private jackd: ChildProcess | undefined
  private readonly server = `synchro-audio-${process.pid}`

  constructor() {
    const home = mkdtempSync(join(tmpdir(), 'synchro-alsa-'))
    writeFileSync(
      join(home, '.asoundrc'),
      `pcm.synchro_jack {
  type jack
  playback_ports { 0 loopback:playback_1 1 loopback:playback_2 }
  capture_ports { 0 loopback:capture_1 1 loopback:capture_2 }
}
pcm.${DEVICE} {
  type plug
  slave.pcm synchro_jack
}
`,
    )
    this.env = { HOME: home, JACK_DEFAULT_SERVER: this.server, JACK_NO_START_SERVER: '1' }
  }

  async start(): Promise<void> {
    // -t 4000: JACK throws out a client late by more than its timeout (500 ms by default),
    // which on a loaded machine a sound card sees as going away mid-show; the tests' own
    // outages stop JACK itself.
    this.jackd = spawn('jackd', ['-n', this.server, '-r', '-t', '4000', '-L', '2', '-d', 'dummy', '-r', '48000', '-p', '128'], {
      stdio: 'ignore',
      env: { ...process.env, ...this.env },
    })
    const socket = `/dev/shm/jack_${this.server}_${process.getuid?.() ?? 0}_0`
    // jackd is up once its server socket exists.
    await untilExists(socket, 10_000).catch(() => {
      throw new Error('jackd -d dummy did not start (is jackd2 installed? bash .ci/run installs it)')
    })
  }

  async stop(): Promise<void> {
    const j = this.jackd
    if (!j || j.exitCode !== null) return
    j.kill('SIGTERM')
    await new Promise((r) => j.once('exit', r))
  }
}
