// Spawns the real, built `synchro` CLI and reads its --json events.

import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { checkEvent, type EventSide } from '../../src/session/events.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CLI = join(root, 'dist', 'src', 'cli', 'main.js')

export type JsonEvent = { event: string } & Record<string, any>

/** Which schema a command's --json lines answer to (docs/EVENTS.md). */
const SIDE_OF: Record<string, EventSide> = { serve: 'show', tui: 'show', join: 'rig', devices: 'tool', profile: 'tool' }

/**
 * Every --json line, of every CLI process any test started, that does not match its
 * documented schema. Waiting on a process fails once it printed one, so every end-to-end
 * test also checks the events it reads against src/session/events.ts.
 */
export const schemaProblems: string[] = []

export class Proc {
  readonly child: ChildProcess
  readonly events: JsonEvent[] = []
  /** This process's lines that did not match their schema. */
  readonly schemaProblems: string[] = []
  stdout = ''
  readonly stdoutBytes: Buffer[] = []
  stderr = ''
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private waiters: Array<() => void> = []

  constructor(args: string[], o: { eventsOn?: 'stdout' | 'stderr'; stdin?: 'pipe' | 'ignore'; env?: NodeJS.ProcessEnv } = {}) {
    // Its own process group, so that the device hosts it starts can be ended with it (killAll).
    this.child = spawn(process.execPath, [CLI, ...args], {
      stdio: [o.stdin ?? 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...o.env },
      detached: true,
    })
    const on = o.eventsOn ?? 'stdout'
    const side = args[0] === undefined ? undefined : SIDE_OF[args[0]]
    let partial = ''
    const parse = (chunk: string) => {
      partial += chunk
      const lines = partial.split('\n')
      partial = lines.pop()!
      for (const line of lines) {
        if (!line.startsWith('{')) continue
        let event: JsonEvent
        try {
          event = JSON.parse(line)
        } catch {
          continue // not an event line
        }
        this.events.push(event)
        const problem = side && checkEvent(side, event)
        if (problem) {
          this.schemaProblems.push(problem)
          schemaProblems.push(problem)
        }
      }
      for (const w of this.waiters.splice(0)) w()
    }
    // With events on stderr, stdout carries raw audio: keep it as bytes.
    this.child.stdout!.on('data', (c: Buffer) => {
      if (on === 'stdout') {
        this.stdout += c.toString('utf8')
        parse(c.toString('utf8'))
      } else this.stdoutBytes.push(c)
    })
    this.child.stderr!.setEncoding('utf8')
    this.child.stderr!.on('data', (c: string) => {
      this.stderr += c
      if (on === 'stderr') parse(c)
    })
    // 'close', not 'exit': only then has every line the process printed been read (the last events of a run arrive after 'exit' on a busy machine).
    this.exit = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })))
  }

  /** The first event (from index `from` on) that `pred` accepts; waits for it to be printed. */
  async waitFor(pred: (e: JsonEvent) => boolean, ms = 20_000, what = 'event', from = 0): Promise<JsonEvent> {
    const end = Date.now() + ms
    for (;;) {
      if (this.schemaProblems.length) throw new Error(`printed an event that does not match docs/EVENTS.md: ${this.schemaProblems[0]}`)
      for (let i = from; i < this.events.length; i++) if (pred(this.events[i]!)) return this.events[i]!
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-400)}`)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50)
        this.waiters.push(() => (clearTimeout(t), r()))
      })
    }
  }

  event(name: string, ms?: number): Promise<JsonEvent> {
    return this.waitFor((e) => e.event === name, ms, `"${name}"`)
  }

  /** The first event `pred` accepts among those printed from now on (not one already seen). */
  next(pred: (e: JsonEvent) => boolean, ms?: number, what = 'event'): Promise<JsonEvent> {
    return this.waitFor(pred, ms, what, this.events.length)
  }

  /** A rig's stats once it has played at least `frames` (stats come once a second). */
  played(frames: number, ms = 20_000): Promise<JsonEvent> {
    return this.waitFor((e) => e.event === 'stats' && e.framesPlayed >= frames, ms, `${frames} frames played`)
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null) this.child.kill(signal)
  }

  /** Kills the CLI and every process it started (its device hosts): its process group. */
  killGroup(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL')
    } catch {
      // the group is gone already
    }
  }
}

const started: Proc[] = []

export function synchro(args: string[], o?: ConstructorParameters<typeof Proc>[1]): Proc {
  const p = new Proc(args, o)
  started.push(p)
  return p
}

/**
 * Kills every CLI process a test file started and is still running, and what they started:
 * a device host can outlive its CLI (one in standby still loading PortAudio when JACK went
 * away does not see its stdin close), and left running it would load the machine for every
 * test after it.
 */
export function killAll(): void {
  for (const p of started.splice(0)) p.killGroup()
}

/** Starts a server on a free port and returns it with its port. */
export async function serveOnFreePort(args: string[], env?: NodeJS.ProcessEnv): Promise<{ server: Proc; port: number }> {
  const server = synchro(['serve', '--host', '127.0.0.1', '--port', '0', '--json', ...args], env ? { env, stdin: 'pipe' } : {})
  const listening = await server.event('listening')
  return { server, port: listening.port as number }
}

/** Runs the CLI to completion. */
export async function run(
  args: string[],
  ms = 10_000,
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = synchro(args, env ? { env } : {})
  const timer = setTimeout(() => p.kill('SIGKILL'), ms)
  const { code } = await p.exit
  clearTimeout(timer)
  if (p.schemaProblems.length) throw new Error(`printed an event that does not match docs/EVENTS.md: ${p.schemaProblems[0]}`)
  return { code, stdout: p.stdout, stderr: p.stderr }
}
