// Real-time scheduling for a media thread: SCHED_FIFO, as JACK, PipeWire and JackTrip give
// their audio threads. Under Linux's normal scheduler (EEVDF since 6.6) a thread that wakes
// while another task runs flat out on its core may wait for that task's slice to run out,
// which is checked at the next scheduler tick: 4 ms at HZ 250. Measured on this project's
// machine (kernel 6.18), a thread waking every 2.67 ms on a core shared with a busy loop:
// 49-741 wakes in 3,000 more than 1 ms late, p99 2.2-7.5 ms; the same thread at SCHED_FIFO
// 10: 2 wakes, p99 0.25 ms (docs/SYNC.md, "A busy core"). A shorter EEVDF slice
// (sched_setattr's sched_runtime) helped less: 7-30 late wakes.
//
// Node has no call for it, so `chrt` (util-linux, on every Linux distribution) sets it for
// the thread's kernel id. Allowed to root, to CAP_SYS_NICE, and to a user whose RLIMIT_RTPRIO
// allows the priority (the `audio` group's rtprio in /etc/security/limits.d, which Debian's
// jackd2 package offers to set up).

import { execFile } from 'node:child_process'
import { readlinkSync } from 'node:fs'

/** What a media thread got. */
export interface ThreadScheduling {
  /** `fifo`: SCHED_FIFO at `priority`; `normal`: the normal scheduler, `reason` says why. */
  policy: 'fifo' | 'normal'
  priority: number
  reason?: string
}

/** Runs a command; resolves with its stderr and whether it succeeded (child_process.execFile, injectable for tests). */
export type RunCommand = (file: string, args: string[]) => Promise<{ ok: boolean; stderr: string; missing: boolean }>

const runCommand: RunCommand = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 5000 }, (err, _stdout, stderr) => {
      const missing = (err as NodeJS.ErrnoException | null)?.code === 'ENOENT'
      resolve({ ok: !err, stderr: String(stderr), missing })
    })
  })

/** The calling thread's kernel id (Linux: /proc/thread-self is "PID/task/TID"), or undefined elsewhere. */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    return Number.isInteger(tid) && tid > 0 ? tid : undefined
  } catch {
    return undefined
  }
}

/** Asks for SCHED_FIFO at `priority` (1-99) for kernel thread `tid`; 0 asks for nothing. Never throws. */
export async function requestRealtime(tid: number | undefined, priority: number, run: RunCommand = runCommand): Promise<ThreadScheduling> {
  if (priority === 0) return { policy: 'normal', priority: 0, reason: 'real-time priority is off (--realtime-priority 0)' }
  if (tid === undefined) return { policy: 'normal', priority: 0, reason: 'real-time priority is set on Linux only' }
  const r = await run('chrt', ['--fifo', '--pid', String(priority), String(tid)])
  if (r.ok) return { policy: 'fifo', priority }
  if (r.missing) return { policy: 'normal', priority: 0, reason: 'chrt (util-linux) is not installed' }
  // chrt's own words: "chrt: failed to set pid 123's policy: Operation not permitted".
  const said =
    r.stderr
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^chrt: /, '') ?? ''
  return { policy: 'normal', priority: 0, reason: said || 'chrt failed' }
}
