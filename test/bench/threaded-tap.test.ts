// A skew-bench output read by a tap thread of its own: a real child process writes impulses
// to the FIFO as its stdout; the thread finds each one, stamped on CLOCK_MONOTONIC between
// the moment the child wrote it and the moment the test heard of it.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { IMPULSE_BASE } from '../../bench/impulse-tap.js'
import { ThreadedTap } from '../../bench/threaded-tap.js'

/** The tap's clock (bench/tap-clock.mjs): CLOCK_MONOTONIC, ms. */
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6

/** A child that writes three 128-frame packets, impulse i in the i-th, 20 ms apart, printing each write's CLOCK_MONOTONIC ms on stderr. */
const WRITER = `
const { writeSync } = require('node:fs')
const ms = () => Number(process.hrtime.bigint()) / 1e6
let i = 0
const t = setInterval(() => {
  const p = Buffer.alloc(512)
  p.writeInt16LE(${IMPULSE_BASE} + i, 0)
  process.stderr.write(ms() + '\\n')
  writeSync(1, p)
  if (++i === 3) clearInterval(t)
}, 20)
`

test('each impulse a child writes is found by the thread, timed after its write and in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-tap-test-'))
  const tap = new ThreadedTap(dir, 'out')
  try {
    // The thread is reading before the child writes: else its first read takes all three packets at once.
    await tap.opened
    const child = spawn(process.execPath, ['-e', WRITER], { stdio: ['ignore', tap.fd, 'pipe'] })
    tap.handedOver()
    let err = ''
    child.stderr?.on('data', (c) => (err += c))
    const startedMs = monotonicMs()
    await new Promise((resolve) => child.once('exit', resolve))
    await tap.ended
    const wroteMs = err.trim().split('\n').map(Number)
    assert.equal([...tap.seenMs.keys()], [0, 1, 2])
    for (const [i, seen] of tap.seenMs) {
      assert.ok(seen >= wroteMs[i]!, `impulse ${i} seen before it was written`)
      assert.ok(seen >= startedMs - 1 && seen <= monotonicMs(), `impulse ${i} at ${seen}`)
    }
    assert.is(tap.bytes, 3 * 512)
  } finally {
    await tap.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
