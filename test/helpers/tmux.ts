// A real terminal for the console's end-to-end test: a private tmux server (its own
// socket), a session of a fixed size, keys sent and the screen read back.

import { execFileSync } from 'node:child_process'
import { until } from './wait.js'

export class Tmux {
  private readonly socket = `synchro-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`

  constructor(readonly session = 'console') {}

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  }

  start(command: string, columns = 80, rows = 24): void {
    this.tmux('new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), command)
  }

  /** Resizes the terminal, as an operator dragging a window or an ssh client does. */
  resize(columns: number, rows: number): void {
    this.tmux('resize-window', '-t', this.session, '-x', String(columns), '-y', String(rows))
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.session, ...keys)
  }

  screen(): string {
    try {
      return this.tmux('capture-pane', '-p', '-t', this.session)
    } catch {
      return '' // the session has ended
    }
  }

  async waitFor(pattern: RegExp, ms = 10_000): Promise<string> {
    let s = ''
    // Each look runs tmux: every 100 ms is quick enough for a person's screen.
    await until(() => pattern.test((s = this.screen())), ms, 'the screen', 100).catch(() => {
      throw new Error(`the console never showed ${pattern}; it shows:\n${s}`)
    })
    return s
  }

  alive(): boolean {
    try {
      this.tmux('has-session', '-t', this.session)
      return true
    } catch {
      return false
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server')
    } catch {
      // already gone
    }
  }
}
