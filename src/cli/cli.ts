// The `synchro` command (started by main.ts, after its V8 settings). Every failure is one line on stderr: exit 2 for a bad command line
// or profile (UsageError, ProfileError), 1 for anything else, a device or environment
// fault (DeviceError) included; 0 after a graceful terminate.

import { describeError, exitCodeOf, ProfileError, UsageError } from '../errors.js'
import { devices, DEVICES_HELP } from './devices.js'
import { join } from './join.js'
import { JOIN_HELP } from './join-options.js'
import { profile, PROFILE_HELP } from './profile.js'
import { tui, TUI_HELP } from './tui.js'
import { serve } from './serve.js'
import { SERVE_HELP } from './serve-options.js'
import { VERSION } from './version.js'

const HELP = `synchro ${VERSION}: live audio and MIDI sync for the stage

usage:
  synchro tui [options]                run a show from the operator console (also: synchro
                                       alone in a terminal); takes serve's options
  synchro serve [options]              stream a source to every rig that joins
  synchro join HOST:PORT [options]     join a show as a rig and play it
  synchro devices [--json]             list MIDI ports
  synchro profile check PATH|schema    validate a show profile, or print its JSON Schema
  synchro COMMAND --help               the options of one command
  synchro --version

Try it on one machine:
  synchro serve --port 7400 --clients 2 --duration 5 &
  synchro join 127.0.0.1:7400 --name left  --sink wav:left.wav &
  synchro join 127.0.0.1:7400 --name right --sink wav:right.wav
`

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; help: string }> = {
  serve: { run: serve, help: SERVE_HELP },
  join: { run: join, help: JOIN_HELP },
  devices: { run: devices, help: DEVICES_HELP },
  profile: { run: profile, help: PROFILE_HELP },
  tui: { run: tui, help: TUI_HELP },
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  // `synchro` alone in a terminal is the console; piped or scripted, it prints help.
  if (command === undefined && process.stdin.isTTY && process.stdout.isTTY) return tui([])
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined
    process.stdout.write(topic && COMMANDS[topic] ? COMMANDS[topic].help : HELP)
    return 0
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${VERSION}\n`)
    return 0
  }
  const cmd = COMMANDS[command]
  if (!cmd) throw new UsageError('BAD_COMMAND', `unknown command '${command}' (try synchro --help)`)
  return cmd.run(rest)
}

/**
 * Once a command is done the process should end by itself; a native library can keep it
 * alive (a sound card that died mid-show leaves PortAudio's and libjack's threads waiting on
 * a server that is gone). Everything is flushed by then, so a second later it exits anyway.
 */
function exitSoon(): void {
  setTimeout(() => process.exit(), 1000).unref()
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
    exitSoon()
  },
  (err: unknown) => {
    // A bad profile: every problem on its own line, each naming the field.
    const lines = err instanceof ProfileError ? err.problems : [describeError(err)]
    process.stderr.write(lines.map((l) => `synchro: ${l}\n`).join(''))
    if (process.env.SYNCHRO_DEBUG) console.error(err)
    process.exitCode = exitCodeOf(err)
    exitSoon()
  },
)
