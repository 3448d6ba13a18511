// `synchro tui` (and `synchro` alone in a terminal): starts the show and opens the
// operator console on it. The same flags as `serve`, which override --profile. Ink and
// React are loaded only here, so `serve` and `join` never pay for them.

import { systemClock } from '../clock.js'
import { execute } from '../control/commands.js'
import { UsageError } from '../errors.js'
import { parseServeOptions, SERVE_HELP } from './serve-options.js'
import { openShow } from './show.js'
import { onStopSignals } from './signals.js'

export const TUI_HELP = `usage: synchro tui [--profile PATH] [serve's options]

Start a show and run it from the operator console. The keys are on screen: s start,
t stop, x switch TCP/UDP, arrows select a rig, k kick, m mute, p MIDI panic, q quit.
Quitting ends the show gracefully (every rig gets TERMINATE). Without --clients the show
starts when you press s.

${SERVE_HELP.split('\n').slice(4).join('\n')}`

export async function tui(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(TUI_HELP)
    return 0
  }
  if (!process.stdin.isTTY)
    throw new UsageError(
      'NOT_A_TERMINAL',
      'the console needs a terminal: use synchro serve (with --control - and --json) to run a show headless',
    )
  // Ink draws only its final frame when CI or CONTINUOUS_INTEGRATION is set (is-in-ci,
  // read once as Ink loads). We only get here on a terminal the operator asked for, so
  // the console draws live whatever the environment says.
  delete process.env.CI
  delete process.env.CONTINUOUS_INTEGRATION
  const [{ render }, { createElement }, { Console }, { ConsoleModel }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../../tui/app.js'),
    import('../../tui/model.js'),
  ])
  let model: InstanceType<typeof ConsoleModel> | undefined
  const early: Array<[Parameters<InstanceType<typeof ConsoleModel>['event']>[0], string | null]> = []
  const settings = parseServeOptions(argv, 'console')
  if (settings === null) {
    process.stdout.write(TUI_HELP)
    return 0
  }
  const show = await openShow(settings, (e, line) => (model ? model.event(e, line) : early.push([e, line])))
  model = new ConsoleModel(
    { name: show.name, port: show.port, format: show.format, source: show.sourceDescription },
    () => ({ stats: show.runner.stats(), mode: show.runner.mode }),
    systemClock,
  )
  for (const [e, line] of early) model.event(e, line)
  model.start(250)
  // Quitting a live show ends it for every rig first; once the show is over the console
  // stays up (its last figures and log readable) until the operator quits.
  let quitRequested = false
  let leave!: () => void
  const left = new Promise<void>((r) => (leave = r))
  const quit = (): void => {
    quitRequested = true
    if (show.runner.stats().phase === 'closed') return leave()
    model!.note('ending the show: TERMINATE to every rig')
    show.runner.terminate('the operator closed the console', 'operator')
  }
  const disposeSignals = onStopSignals(() => quit())
  const app = render(createElement(Console, { model, run: (c) => execute(show.runner, c), quit }), { exitOnCtrlC: false })
  const summary = await show.done
  model.refresh()
  model.stop()
  if (!quitRequested) {
    model.note('the show is over: q to leave the console', 'warn')
    await left
  }
  disposeSignals()
  // Let the last frame reach the screen, then leave the terminal as it was.
  await new Promise((r) => setTimeout(r, 100))
  app.unmount()
  await app.waitUntilExit()
  return summary.code === 'source-error' ? 1 : 0
}
