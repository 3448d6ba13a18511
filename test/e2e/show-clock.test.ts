// The show clock end to end (issue 12): real rigs, one on TCP and one on UDP through a relay
// adding 6 ms (+-1 ms) of delay, write the same impulse train to pipes, and the same impulse
// leaves both within a loose bound that unsynchronised rigs (6 ms and more apart) fail; a rig
// with --offset plays that much later, and a rig whose path is slower than the show's latency
// says it is late. The tight figures are the bench's (bench/skew.mjs).
import { readdirSync, readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { killAll, serveOnFreePort, synchro, type Proc } from '../helpers/cli.js'
import { ImpairmentRelay } from '../helpers/impairment-relay.js'
import { pace, until } from '../helpers/wait.js'
import { ImpulseTap, impulseValue } from '../../bench/impulse-tap.js'

const relays: ImpairmentRelay[] = []
test.after(async () => {
  killAll()
  for (const r of relays) await r.close()
})

const FRAMES = 128
const PACKET_BYTES = FRAMES * 4
/** One impulse every 40 packets (107 ms), valued as the skew bench's are (bench/impulse-tap.ts). */
const EVERY = 40

/** When each impulse first comes out of a rig's stdout (this process's clock), by the bench's tap. */
function impulseTimes(rig: Proc): Map<number, number> {
  const tap = new ImpulseTap()
  rig.child.stdout!.on('data', (chunk: Buffer) => tap.push(chunk, performance.now()))
  return tap.seenMs
}

/** Writes `impulses` impulses into the server's stdin at about real-time pace. */
async function feed(server: Proc, impulses: number): Promise<void> {
  const packetMs = (FRAMES * 1000) / 48000
  const start = performance.now()
  for (let k = 0; k < impulses * EVERY; k++) {
    const pcm = Buffer.alloc(PACKET_BYTES)
    if (k % EVERY === 0) pcm.writeInt16LE(impulseValue(k / EVERY), 0)
    server.child.stdin!.write(pcm)
    const ahead = start + (k + 1) * packetMs - performance.now()
    if (ahead > 0) await pace(ahead)
  }
}

/** Threads of process `pid` at SCHED_FIFO (field 41 of /proc/PID/task/TID/stat, 1). */
function fifoThreads(pid: number): number {
  let n = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
    if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3] === '1') n++
  }
  return n
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** Per impulse both rigs played: tB - tA. */
function apart(a: Map<number, number>, b: Map<number, number>): number[] {
  const out: number[] = []
  for (const [v, t] of a) {
    const u = b.get(v)
    if (u !== undefined) out.push(u - t)
  }
  return out
}

test('a TCP rig and a UDP rig 6 ms further away play the same impulse together; --offset 25 plays it 25 ms later', async () => {
  const { server, port } = await serveOnFreePort(['--source', 'raw:-', '--clients', '3', '--latency', '60', '--frames', String(FRAMES)], {})
  const relay = await ImpairmentRelay.start({ host: '127.0.0.1', port }, { seed: 5, delayMs: 6, jitterMs: 1 })
  relays.push(relay)
  const join = (name: string, to: number, extra: string[]) =>
    synchro(['join', `127.0.0.1:${to}`, '--name', name, '--sink', 'raw:-', '--json', ...extra], { eventsOn: 'stderr' })
  const a = join('a', port, ['--transport', 'tcp'])
  const b = join('b', relay.port, ['--transport', 'udp'])
  const c = join('c', port, ['--transport', 'tcp', '--offset', '25', '--realtime-priority', '0'])
  const [ta, tb, tc] = [impulseTimes(a), impulseTimes(b), impulseTimes(c)]
  await server.event('init')
  // A live source does not stop: the train runs on while the rigs settle on the show clock.
  const fed = feed(server, 50)
  for (const rig of [a, b, c]) await rig.waitFor((e) => e.event === 'stats' && e.sync.state !== 'no-clock', 20_000, 'on the show clock')
  const settledAt = performance.now() + 300
  await fed
  // A UDP rig on a loaded machine may conceal a packet or two (one impulse went missing in a CI run): not more.
  await until(() => [ta, tb, tc].every((t) => t.size >= 48), 10_000, 'the impulses out of every rig').catch((err: Error) => {
    throw new Error(`${err.message}: ${[ta, tb, tc].map((t) => t.size)}`)
  })
  const counted = (m: Map<number, number>) => new Map([...m].filter(([, t]) => t > settledAt))
  const ab = apart(counted(ta), counted(tb))
  const ac = apart(counted(ta), counted(tc))
  assert.ok(ab.length >= 20 && ac.length >= 20, `${ab.length} and ${ac.length} impulses matched`)
  // Unsynchronised, b would be 6 ms and more behind a (the relay's delay); on the show clock they are together.
  // 4.5 ms, not 3: the relay runs in this test's process beside the shard's other shows, and
  // its forwarding stalls can make the path asymmetric (a CI run with a core kept busy: 3.13 ms).
  assert.ok(Math.abs(median(ab)) < 4.5, `median b - a ${median(ab).toFixed(2)} ms`)
  assert.ok(Math.abs(median(ac) - 25) < 4.5, `median c - a ${median(ac).toFixed(2)} ms, expected 25`)
  const stats = await c.waitFor((e) => e.event === 'stats', 5000, 'stats', c.events.length)
  assert.equal([stats.sync.offsetMs, stats.sync.latencyMs, stats.sync.showLatencyMs], [25, 60, 60])
  // c asked for no real-time priority, and says its playout thread runs at the normal one.
  const normal = await c.waitFor((e) => e.event === 'priority', 5000, 'the playout thread priority')
  assert.equal([normal.thread, normal.policy, normal.priority], ['playout', 'normal', 0])
  server.child.stdin!.end()
  for (const rig of [a, b, c]) assert.is((await rig.exit).code, 0, rig.stderr)
})

test("a rig whose path is slower than the show's latency says it is late, and the server lists it so", async () => {
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--latency', '5', '--duration', '5'], {})
  const relay = await ImpairmentRelay.start({ host: '127.0.0.1', port }, { seed: 6, delayMs: 30, jitterMs: 0 })
  relays.push(relay)
  const rig = synchro(['join', `127.0.0.1:${relay.port}`, '--name', 'far', '--transport', 'udp', '--sink', 'raw:-', '--json'], {
    eventsOn: 'stderr',
  })
  rig.child.stdout!.resume()
  // Its playout thread asked for SCHED_FIFO 10 (the default): granted, one of the rig's threads
  // runs it; refused (no CAP_SYS_NICE or rtprio here), the rig said why and plays on.
  const priority = await rig.waitFor((e) => e.event === 'priority', 20_000, 'the playout thread priority')
  if (priority.policy === 'fifo') {
    assert.is(priority.priority, 10)
    assert.ok(fifoThreads(rig.child.pid!) >= 1, 'a SCHED_FIFO thread in the rig')
  } else assert.ok(priority.reason.length > 0)
  const late = await rig.waitFor((e) => e.event === 'stats' && e.sync.state === 'late', 20_000, 'a late sync state')
  assert.ok(late.sync.lateMs > 15, `late by ${late.sync.lateMs} ms`)
  const listed = await server.waitFor(
    (e) => e.event === 'stats' && e.rigs.some((r: { sync: { state: string } | null }) => r.sync?.state === 'late'),
    20_000,
    'the server listing it late',
  )
  assert.ok(listed)
  assert.is((await rig.exit).code, 0, rig.stderr)
})

test.run()
