// `serve --control -`: operator commands from stdin, one per line, each answered with a
// `control` event. Scripts and tests drive a show this way; the console uses the same layer.

import { createInterface } from 'node:readline'
import { execute, parseCommand } from '../control/commands.js'
import type { ServerRunner } from '../session/server-runner.js'
import type { Reporter } from './reporter.js'

/** Starts reading commands; returns a function that stops. */
export function readControl(runner: ServerRunner, reporter: Reporter): () => void {
  const lines = createInterface({ input: process.stdin, terminal: false })
  lines.on('line', (line) => {
    if (line.trim() === '') return
    const parsed = parseCommand(line)
    if ('error' in parsed) {
      reporter.event({ event: 'control', ok: false, command: line.trim(), error: parsed.error }, `? ${parsed.error}`)
      return
    }
    const result = execute(runner, parsed)
    reporter.event({ event: 'control', ...result }, result.ok ? `> ${result.message}` : `? ${result.error}`)
  })
  return () => {
    lines.close()
    process.stdin.pause()
  }
}
