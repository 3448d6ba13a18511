// `serve --control -`: operator commands from stdin, one per line, each answered with a
// `control` event. Scripts and tests drive a show this way; the console uses the same layer.

import { createInterface } from 'node:readline'
import { execute, parseCommand } from '../control/commands.js'
import type { ServerRunner } from '../session/server-runner.js'
import type { ShowEvent } from '../session/events.js'

/** Starts reading commands from `input` (stdin); returns a function that stops. */
export function readControl(
  runner: ServerRunner,
  emit: (event: ShowEvent) => void,
  input: NodeJS.ReadableStream = process.stdin,
): () => void {
  const lines = createInterface({ input, terminal: false })
  lines.on('line', (line) => {
    if (line.trim() === '') return
    const parsed = parseCommand(line)
    if ('error' in parsed) {
      emit({ event: 'control', ok: false, command: line.trim(), error: parsed.error })
      return
    }
    emit({ event: 'control', ...execute(runner, parsed) })
  })
  return () => {
    lines.close()
    input.pause()
  }
}
