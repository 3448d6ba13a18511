// The rig's media threads announce themselves; the main thread asks for their priority and
// tells its listeners, once each.
import { Worker } from 'node:worker_threads'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { onMediaThreadScheduled, scheduleMediaThread, setMediaThreadPriority } from '../../src/audio/media-thread-priority.js'
import type { RunCommand } from '../../src/audio/realtime-priority.js'
import { LIMITS } from '../../src/codec/limits.js'

/** A thread that posts what announceMediaThread posts, after a message of its own that is not that. */
const announcing = (tid: number) =>
  new Worker(
    `const { parentPort } = require('node:worker_threads'); parentPort.postMessage('hello'); parentPort.postMessage({ mediaThreadId: ${tid} })`,
    { eval: true },
  )

test('a thread that announces itself gets the priority set, and each listener hears it once', async () => {
  const calls: string[][] = []
  const run: RunCommand = async (file, args) => {
    calls.push([file, ...args])
    return { ok: true, stderr: '', missing: false }
  }
  setMediaThreadPriority(5, run)
  const heard: unknown[] = []
  const off = onMediaThreadScheduled((thread, s) => heard.push({ thread, ...s }))
  const w = announcing(4321)
  try {
    const got = await scheduleMediaThread(w, 'midi-out')
    assert.equal(got, { policy: 'fifo', priority: 5 })
    assert.equal(calls, [['chrt', '--fifo', '--pid', '5', '4321']])
    assert.equal(heard, [{ thread: 'midi-out', policy: 'fifo', priority: 5 }])
  } finally {
    off()
    await w.terminate()
    setMediaThreadPriority(LIMITS.realtimePriority.default)
  }
})

test('a listener that unsubscribed hears nothing; priority 0 runs nothing', async () => {
  const calls: string[][] = []
  setMediaThreadPriority(0, async (file, args) => {
    calls.push([file, ...args])
    return { ok: true, stderr: '', missing: false }
  })
  const heard: unknown[] = []
  onMediaThreadScheduled((thread) => heard.push(thread))()
  const w = announcing(99)
  try {
    assert.is((await scheduleMediaThread(w, 'playout')).policy, 'normal')
    assert.equal(calls, [])
    assert.equal(heard, [])
  } finally {
    await w.terminate()
    setMediaThreadPriority(LIMITS.realtimePriority.default)
  }
})

test.run()
