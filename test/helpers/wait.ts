// Waiting in tests: on a condition or an event, never on a guess of how long something takes.
// Every timeout here is generous on purpose: on a loaded 2-core machine a process can take
// seconds to start, and a timeout that only fires when the feature is broken costs nothing
// when it works.

import type { EventEmitter } from 'node:events'
import { statSync } from 'node:fs'

/**
 * Polls `cond` until it holds; throws naming `what` after `ms`. `everyMs` is for conditions
 * that are costly to test (one that runs a program, as tmux's has-session does).
 */
export async function until(cond: () => boolean, ms = 5000, what = 'condition', everyMs = 2): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** The first `event` an emitter emits, with its arguments; throws naming it after `ms`. */
export function nextEvent<T extends unknown[] = unknown[]>(emitter: EventEmitter, event: string, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (...args: unknown[]) => {
      clearTimeout(timer)
      resolve(args as T)
    }
    const timer = setTimeout(() => {
      emitter.off(event, onEvent)
      reject(new Error(`no '${event}' in ${ms} ms`))
    }, ms)
    emitter.once(event, onEvent)
  })
}

/** Resolves once the file at `path` exists (a socket, a pipe, a recording being written). */
export function untilExists(path: string, ms = 10_000): Promise<void> {
  return until(() => sizeOf(path) !== undefined, ms, `${path} to exist`)
}

function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size
  } catch {
    return undefined
  }
}

/**
 * A producer's own rhythm (a program writing to a pipe in pieces, a client sending numbered
 * datagrams), not a wait for something to happen: the test means "spread over time".
 */
export function pace(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
