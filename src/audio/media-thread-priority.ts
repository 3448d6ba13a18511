// Which scheduling the rig's media threads (a pipe's playout, a MIDI pipe's writer) ask for,
// and who hears what they got. A media thread never returns to an event loop, so it only
// posts its kernel id when it starts (announceMediaThread); the main thread asks for the
// priority (realtime-priority.ts) and tells the listeners, which print it once (the rig's
// `priority` event). One setting for the process: `join --realtime-priority`.

import { parentPort, type Worker } from 'node:worker_threads'
import { LIMITS } from '../codec/limits.js'
import { currentThreadId, requestRealtime, type RunCommand, type ThreadScheduling } from './realtime-priority.js'

export type MediaThreadName = 'playout' | 'midi-out'
export type MediaThreadListener = (thread: MediaThreadName, scheduling: ThreadScheduling) => void

let priority: number = LIMITS.realtimePriority.default
let run: RunCommand | undefined
const listeners = new Set<MediaThreadListener>()

/** The SCHED_FIFO priority media threads ask for from now on (0: none). */
export function setMediaThreadPriority(value: number, runner?: RunCommand): void {
  priority = value
  run = runner
}

/** Hears each media thread's scheduling once it is settled; returns the unsubscribe. */
export function onMediaThreadScheduled(listener: MediaThreadListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

interface ThreadIdMessage {
  mediaThreadId: number | null
}

/** On a media thread, first thing: tells the main thread its kernel id. */
export function announceMediaThread(): void {
  parentPort?.postMessage({ mediaThreadId: currentThreadId() ?? null } satisfies ThreadIdMessage)
}

/** On the main thread, for a media thread just started: asks for its priority when it announces itself. */
export function scheduleMediaThread(worker: Worker, name: MediaThreadName): Promise<ThreadScheduling> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown): void => {
      if (typeof m !== 'object' || m === null || !('mediaThreadId' in m)) return
      worker.off('message', onMessage)
      const tid = (m as ThreadIdMessage).mediaThreadId ?? undefined
      void requestRealtime(tid, priority, run).then((s) => {
        for (const l of listeners) l(name, s)
        resolve(s)
      })
    }
    worker.on('message', onMessage)
  })
}
