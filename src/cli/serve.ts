// `synchro serve`: listen, wait for rigs, stream the source to every rig, terminate.

import { readControl } from './control.js'
import { parseServeOptions, SERVE_HELP } from './serve-options.js'
import { openShow } from './show.js'
import { onStopSignals } from './signals.js'

export async function serve(argv: string[]): Promise<number> {
  const settings = parseServeOptions(argv, 'serve')
  if (settings === null) {
    process.stdout.write(SERVE_HELP)
    return 0
  }
  const show = await openShow(settings)
  const { runner } = show
  const stopControl = show.control ? readControl(runner, show.emit) : () => {}
  const disposeSignals = onStopSignals((sig) => runner.terminate(`stopped by operator (${sig})`, 'operator'))
  const summary = await show.done
  disposeSignals()
  stopControl()
  return summary.code === 'source-error' ? 1 : 0
}
