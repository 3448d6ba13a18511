// A thread started from the module beside its caller: the built .js from a .js caller, the
// .ts (through tsx's loader, which a worker does not inherit) from a .ts caller.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startThread } from '../src/start-thread.js'

const ECHO = `import { parentPort, workerData } from 'node:worker_threads'\nparentPort.postMessage({ from: FROM, got: workerData })\n`

async function echoFrom(callerFile: string): Promise<unknown> {
  const w = startThread(pathToFileURL(callerFile).href, 'echo', { n: 7 })
  return new Promise((resolve, reject) => {
    w.once('message', resolve)
    w.once('error', reject)
  })
}

test('a .js caller starts the .js beside it; a .ts caller the .ts, TypeScript and all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-thread-'))
  try {
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    writeFileSync(join(dir, 'echo.js'), ECHO.replace('FROM', "'js'"))
    writeFileSync(join(dir, 'echo.ts'), ECHO.replace('FROM', "('ts' as string)"))
    assert.equal(await echoFrom(join(dir, 'caller.js')), { from: 'js', got: { n: 7 } })
    assert.equal(await echoFrom(join(dir, 'caller.ts')), { from: 'ts', got: { n: 7 } })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
