// A skew-bench output read by its own tap thread (bench/tap-thread.mjs): a FIFO whose write
// end a child process gets as its stdout (or any fd), and the impulses the thread found in it.
import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'

interface TapMessage {
  opened?: true
  done?: true
  index: number
  ms: number
  bytes: number
  reads: number
  continuations: number
}

export class ThreadedTap {
  /** Impulse index -> CLOCK_MONOTONIC ms it left the output (bench/tap-clock.mjs). */
  readonly seenMs = new Map<number, number>()
  bytes = 0
  reads = 0
  continuations = 0
  /** Where the FIFO is, for a writer that opens it by name (then keep the bench's fd until the end). */
  readonly path: string
  readonly worker: Worker
  /** Once the thread holds the FIFO open. */
  readonly opened: Promise<unknown>
  /** Once the thread has read the end of the stream. */
  readonly ended: Promise<void>
  #fd: number | undefined

  /** dir: a temporary directory for the FIFO; kind: 'impulse' or 'note' (bench/tap-thread.mjs); writeBytes as ImpulseTap's. */
  /** cpus: where the thread may run (taskset's list, e.g. '0'): off a core the case keeps busy. */
  constructor(
    dir: string,
    name: string,
    { kind = 'impulse', writeBytes, cpus }: { kind?: 'impulse' | 'note'; writeBytes?: number; cpus?: string } = {},
  ) {
    const fifo = join(dir, `${name}.fifo`)
    this.path = fifo
    execFileSync('mkfifo', [fifo])
    // Read-write, so the open neither blocks nor waits for the thread (Linux opens a FIFO
    // O_RDWR at once), and the pipe holds what the writer sends before the thread reads it.
    this.#fd = openSync(fifo, constants.O_RDWR)
    // A worker does not inherit tsx's loader (Node 20), and the thread imports ImpulseTap's .ts:
    // it registers tsx first, as src/audio/threaded-playout.ts does.
    const source = new URL('./tap-thread.mjs', import.meta.url).href
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(source)}) })`
    this.worker = new Worker(boot, { eval: true, workerData: { fifo, kind, writeBytes, cpus } })
    this.worker.unref()
    this.opened = new Promise((resolve) => this.worker.once('message', resolve))
    this.ended = new Promise((resolve, reject) => {
      this.worker.on('error', reject)
      this.worker.on('message', (m: TapMessage) => {
        if (m.opened) return
        this.bytes = m.bytes
        this.reads = m.reads
        this.continuations = m.continuations
        if (m.done) resolve()
        else this.seenMs.set(m.index, m.ms)
      })
    })
  }

  /** The write end to hand a child as its stdout. */
  get fd(): number {
    if (this.#fd === undefined) throw new Error('the tap has been handed over')
    return this.#fd
  }

  /**
   * Once the child has the fd: drop the bench's copy, so the stream ends when the child does.
   * Not before the thread has opened the FIFO: an open for reading with no writer left would
   * block it for good (a child that wrote and exited before the thread came up).
   */
  handedOver(): void {
    const fd = this.#fd
    if (fd === undefined) return
    this.#fd = undefined
    this.opened.then(() => closeSync(fd))
  }

  /** Stops the thread even if the writer is still alive. */
  async close(): Promise<void> {
    this.handedOver()
    await this.opened
    await this.worker.terminate()
  }
}
