// Starts one of the program's threads (the playout's, a MIDI output's) from the file beside
// the caller: the built .js, or, run from the TypeScript source (the tests, through tsx),
// the .ts. A worker does not inherit tsx's loader, so it registers it first and then loads
// the .ts.

import { Worker } from 'node:worker_threads'

/** callerUrl: the caller's import.meta.url; name: the thread's module beside it, without extension. */
export function startThread(callerUrl: string, name: string, workerData: unknown): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), { workerData })
  const source = new URL(`./${name}.ts`, callerUrl).href
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(source)}) })`
  return new Worker(boot, { eval: true, workerData })
}
