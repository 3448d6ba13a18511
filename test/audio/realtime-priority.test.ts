// Real-time scheduling for a media thread: what is asked of chrt, what its refusals become,
// and, through the real chrt, a real thread's policy afterwards.
import { readFileSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { currentThreadId, requestRealtime, type RunCommand } from '../../src/audio/realtime-priority.js'

function fakeChrt(answer: { ok: boolean; stderr?: string; missing?: boolean }): RunCommand & { calls: string[][] } {
  const calls: string[][] = []
  const run = async (file: string, args: string[]) => {
    calls.push([file, ...args])
    return { ok: answer.ok, stderr: answer.stderr ?? '', missing: answer.missing ?? false }
  }
  return Object.assign(run, { calls })
}

test('asks chrt for SCHED_FIFO at the priority for the thread', async () => {
  const run = fakeChrt({ ok: true })
  assert.equal(await requestRealtime(1234, 10, run), { policy: 'fifo', priority: 10 })
  assert.equal(run.calls, [['chrt', '--fifo', '--pid', '10', '1234']])
})

test("a refusal is the normal scheduler with chrt's own reason; no chrt, no Linux, priority 0: said so, nothing run", async () => {
  const refused = fakeChrt({ ok: false, stderr: "chrt: failed to set pid 1234's policy: Operation not permitted\n" })
  assert.equal(await requestRealtime(1234, 10, refused), {
    policy: 'normal',
    priority: 0,
    reason: "failed to set pid 1234's policy: Operation not permitted",
  })
  const missing = fakeChrt({ ok: false, missing: true })
  assert.equal((await requestRealtime(1234, 10, missing)).reason, 'chrt (util-linux) is not installed')
  const unused = fakeChrt({ ok: true })
  assert.equal((await requestRealtime(undefined, 10, unused)).reason, 'real-time priority is set on Linux only')
  assert.equal((await requestRealtime(1234, 0, unused)).reason, 'real-time priority is off (--realtime-priority 0)')
  assert.equal(unused.calls, [])
})

/** Field 41 of /proc/PID/task/TID/stat: the scheduling policy (0 normal, 1 FIFO). */
function policyOf(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8')
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[41 - 3])
}

if (process.platform === 'linux') {
  test("a thread's kernel id: the main thread's is the process id, a worker's its own", async () => {
    assert.is(currentThreadId(), process.pid)
    const w = new Worker(
      `const { parentPort } = require('node:worker_threads'); const { readlinkSync } = require('node:fs');
       parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').at(-1)))
       setInterval(() => {}, 1000)`,
      { eval: true },
    )
    try {
      const tid = await new Promise<number>((resolve) => w.once('message', resolve))
      assert.ok(tid !== process.pid && tid > 0)
      assert.is(policyOf(tid), 0)
      // Through the real chrt: granted, the thread runs SCHED_FIFO; refused (no CAP_SYS_NICE or
      // rtprio on this machine), it is still normal and the reason is chrt's.
      const got = await requestRealtime(tid, 1)
      if (got.policy === 'fifo') assert.is(policyOf(tid), 1)
      else {
        assert.is(policyOf(tid), 0)
        assert.ok(got.reason && got.reason.length > 0)
      }
    } finally {
      await w.terminate()
    }
  })
}

test.run()
