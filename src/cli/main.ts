#!/usr/bin/env node
// The `synchro` entry point: V8 settings that must be in place before the program is even
// loaded, then the program (cli.ts), imported only after them.
//
// V8's memory reducer: after the start-up full collection it waits 8 s and then, seeing a
// low allocation rate, runs full collections to shrink the heap: one of 8-27 ms and another
// of 3-6 ms 0.6 s later on every main thread, in every run (docs/STALLS.md, --trace-gc). A
// pause longer than the show's latency is a burst of concealment on every rig, 8 s into
// each process. A show's heap is small and steady: there is nothing worth that pause to give
// back. `--no-memory-reducer` acts only on the command line (the reducer is made with the
// heap), and a process started by npm, a shell or a service manager has no flags of ours; the
// start delay is read when the timer is armed, which the start-up collection does while the
// program loads. Set here, before the import, it holds: 3 runs of 3 with no reducing
// collection in 12 s, against 2 in every run when set from the program's first module.
import { setFlagsFromString } from 'node:v8'

/** The reducer's first timer, ms: V8 keeps it in an int; 23 days is past any show. */
const NEVER_MS = 2_000_000_000
setFlagsFromString(`--gc-memory-reducer-start-delay-ms=${NEVER_MS}`)

await import('./cli.js')
