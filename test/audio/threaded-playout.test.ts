// A playout on its own thread, through the real worker: packets in through the shared ring,
// the frames out into a pipe at their show time, figures back through shared memory.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ThreadedPlayout } from '../../src/audio/threaded-playout.js'
import { readPlayoutStats, writePlayoutStats } from '../../src/audio/playout-stats.js'
import { emptyPlayoutStats } from '../../src/audio/playout.js'
import { until } from '../helpers/wait.js'

const FORMAT = { rateHz: 48000, channels: 1, format: 's16le' as const, framesPerPacket: 48 }

test('the thread writes every frame, in order, when due, and reports it is on the show clock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-thread-'))
  const fifo = join(dir, 'out')
  assert.is(spawnSync('mkfifo', [fifo]).status, 0)
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
  const writeFd = openSync(fifo, 'w')
  const p = new ThreadedPlayout({ format: FORMAT, latencyMs: 20, lossy: true, fd: writeFd })
  try {
    p.startAt(0)
    // Far enough ahead that the thread has started by then (it takes tens of ms): its first write waits for it.
    const t0 = performance.now() + 500
    p.setShowSchedule({ anchorLocalMs: t0, anchorPos: 0, msPerFrame: 1000 / 48000 })
    const sent: number[] = []
    for (let k = 0; k < 20; k++) {
      const pcm = Buffer.alloc(96)
      for (let i = 0; i < 48; i++) pcm.writeInt16LE(k * 48 + i + 1, i * 2)
      p.push(k, k * 48, pcm)
      sent.push(...Array.from({ length: 48 }, (_, i) => k * 48 + i + 1))
    }
    const got: Buffer[] = []
    /** When the reader had each byte count: [bytes so far, time]. */
    const arrivals: Array<[number, number]> = []
    const chunk = Buffer.alloc(65536)
    const readAll = (): number => {
      try {
        const n = readSync(readFd, chunk)
        if (n > 0) got.push(Buffer.from(chunk.subarray(0, n)))
      } catch {}
      const bytes = Buffer.concat(got).length
      if (bytes > (arrivals.at(-1)?.[0] ?? 0)) arrivals.push([bytes, performance.now()])
      return bytes
    }
    await until(() => readAll() >= sent.length * 2, 5000, 'every frame out of the pipe')
    // Written when due, not as they came: the first packet not before t0, the last (19 ms of show later) not before t0 + 19.
    // The reader polls every 2 ms, so a byte is seen up to that late, never early.
    const firstAt = arrivals.find(([bytes]) => bytes > 0)![1]
    const lastAt = arrivals.find(([bytes]) => bytes >= sent.length * 2)![1]
    assert.ok(firstAt >= t0 - 0.5, `the first packet ${(t0 - firstAt).toFixed(2)} ms before its time`)
    assert.ok(lastAt >= t0 + 19 - 0.5, `the last packet ${(t0 + 19 - lastAt).toFixed(2)} ms before its time`)
    const out = Buffer.concat(got)
    const samples = Array.from({ length: sent.length }, (_, i) => out.readInt16LE(i * 2))
    const firstWrong = samples.findIndex((v, i) => v !== sent[i])
    assert.is(
      firstWrong,
      -1,
      `sample ${firstWrong}: ${samples.slice(firstWrong - 2, firstWrong + 3)} for ${sent.slice(firstWrong - 2, firstWrong + 3)}`,
    )
    await until(() => p.onShowClock && p.stats.framesPlayed >= sent.length, 5000, 'the figures come back')
  } finally {
    p.stop()
    await p.drain()
    closeSync(writeFd)
    closeSync(readFd)
    rmSync(dir, { recursive: true, force: true })
  }
})

test('figures round-trip through the shared array', () => {
  const shared = new Float64Array(32)
  const stats = { ...emptyPlayoutStats(), framesPlayed: 480, jitterMs: 0.25 }
  writePlayoutStats(shared, { stats, onShowClock: true, latenessNow: () => ({ share: 0.1, worstMs: 2.5 }) }, true)
  assert.equal(readPlayoutStats(shared), { stats, onShowClock: true, lateness: { share: 0.1, worstMs: 2.5 }, finished: true })
})

test.run()
