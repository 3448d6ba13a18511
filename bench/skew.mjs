// Inter-rig skew (issue 12's baseline): the same impulse train (one one-sample impulse every
// 200 ms, silence between, 128-frame packets written at real-time pace) goes into a server,
// and two outputs are read by this process, which timestamps each impulse as it arrives on
// either pipe (bench/impulse-tap.ts). Per impulse: the skew |tA - tB| between the two
// outputs, and each output's one-way latency (written in -> out). Three harnesses, fed and
// timed alike:
//   - Synchro: `serve --source raw:-`, two `join --sink raw:-` rigs on loopback;
//   - Snapcast: snapserver with a pipe source, two snapclients writing to stdout;
//   - bare: one process copying stdin to two pipes at once (bench/bare-tee.mjs), the
//     harness's own error.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CLI,
  ROOT,
  paceWrites,
  percentile,
  sleep,
  spawnNode,
  spawnProcess,
  stopAll,
  waitJson,
  waitText,
  SERVE_ON_LOOPBACK,
  lastEvents,
} from './lib.mjs'
import { exactWrites } from './exact-writer.mjs'
import { IMPULSE_BASE, ImpulseTrain } from './impulse-tap.ts'
import { monotonicMs } from './tap-clock.mjs'
import { ThreadedTap } from './threaded-tap.ts'
import { pairImpulses } from './skew-pairs.ts'
import { ensureSnapcast, openFifoWriter, startSnapclient, startSnapserver } from './snapcast.mjs'

const FRAMES_PER_PACKET = 128
/** 75 packets of 128 frames: 9,600 frames, 200 ms at 48 kHz between impulses. */
const PACKETS_PER_IMPULSE = 75
const IMPULSE_MS = 200
/** The rig's default --latency: what two rigs "on the same latency" run at. */
const SAME_LATENCY_MS = 20
/**
 * A snapclient's file player writes 50 ms (2,400 frames, 9,600 bytes) per request and
 * flushes (client/player/file_player.cpp, kDefaultBuffer, in 0.26); the reader may get it in
 * parts (reads of 8,192 and 1,408 bytes are common), the rest sometimes much later.
 */
const SNAPCLIENT_WRITE_BYTES = 9600
/** The core a "busy core" case pins its rig (or snapclient) and a busy loop to. */
const BUSY_CPU = 1

/**
 * Synchro's cases. show: the show's transport. A rig `via: 'relay'` joins over UDP through
 * the impairment relay in its own process (delayMs, jitterMs; 0 and 0 make a plain relay,
 * which also keeps that rig on UDP in a TCP show: the relay's port has no TCP to move to).
 * `busy`: the rig and a busy loop share core BUSY_CPU. `args`: more join flags for that rig.
 */
export const SYNCHRO_CASES = [
  { name: 'udp', label: 'both UDP, same --latency', show: 'udp', rigs: [{ transport: 'udp' }, { transport: 'udp' }], snapcast: 'unloaded' },
  { name: 'tcp', label: 'both TCP, same --latency', show: 'tcp', rigs: [{ transport: 'tcp' }, { transport: 'tcp' }] },
  {
    name: 'tcp+udp',
    label: 'one TCP, one UDP (plain relay)',
    show: 'tcp',
    rigs: [{ transport: 'tcp' }, { transport: 'udp', via: { delayMs: 0, jitterMs: 0 } }],
  },
  {
    name: 'latency-5-20',
    label: '--latency 5 and --latency 20 (UDP)',
    show: 'udp',
    rigs: [
      { transport: 'udp', latencyMs: 5 },
      { transport: 'udp', latencyMs: 20 },
    ],
  },
  {
    name: 'relay',
    label: 'one UDP rig through the relay, 6 ms +- 1 ms',
    show: 'udp',
    rigs: [{ transport: 'udp' }, { transport: 'udp', via: { delayMs: 6, jitterMs: 1 } }],
  },
  {
    name: 'busy',
    label: "one rig's core busy (UDP)",
    show: 'udp',
    rigs: [{ transport: 'udp' }, { transport: 'udp', busy: true }],
    snapcast: 'busy',
  },
  {
    // The same at the normal scheduler: what the playout thread's SCHED_FIFO is worth (src/audio/realtime-priority.ts).
    name: 'busy-normal',
    label: "one rig's core busy, --realtime-priority 0",
    show: 'udp',
    rigs: [
      { transport: 'udp', args: ['--realtime-priority', '0'] },
      { transport: 'udp', busy: true, args: ['--realtime-priority', '0'] },
    ],
  },
]

export const SNAPCAST_CASES = [
  { name: 'unloaded', label: 'two snapclients', busy: false },
  { name: 'busy', label: "one snapclient's core busy", busy: true },
]

/**
 * Runs `fn(taps)` with two outputs, each read by its own tap thread (bench/threaded-tap.mjs),
 * and `stop()`s the processes writing them before waiting for the threads to see the end.
 */
async function withTwoTaps({ writeBytes, busy = false } = {}, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-skew-taps-'))
  // With a busy core the taps keep off it: what is measured is the writers, not the taps' own wait for that core.
  const cpus = busy ? otherCpus(BUSY_CPU) : undefined
  const taps = [new ThreadedTap(dir, 'a', { writeBytes, cpus }), new ThreadedTap(dir, 'b', { writeBytes, cpus })]
  try {
    await Promise.all(taps.map((t) => t.opened))
    return await fn(taps)
  } finally {
    // The writers are gone (fn's own finally stopped them): each thread reads its end of file.
    for (const t of taps) t.handedOver()
    await Promise.race([Promise.all(taps.map((t) => t.ended)), sleep(2000)])
    await Promise.all(taps.map((t) => t.close()))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Every core but `cpu`, as taskset lists them. */
function otherCpus(cpu) {
  return Array.from({ length: availableParallelism() }, (_, i) => i)
    .filter((i) => i !== cpu)
    .join(',')
}

/** A child's stdio with its stdout going to a tap's FIFO. */
const stdoutTo = (tap) => ({ stdio: ['pipe', tap.fd, 'pipe'] })

/** p50 / p99 / max of a list of ms. */
function summary(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) }
}

/**
 * Writes the train into `writer` and times its impulses out of outA and outB: `settleMs` of
 * impulses first (left out), then `impulses` measured, then `tailMs` of silence for the
 * slower path to play out the last ones. writeBytes: the outputs' fixed write size, if they have one
 * (bench/impulse-tap.ts). Resolves once both outputs played the last impulse,
 * or 2 s after the tail.
 */
async function timeOutputs(writer, taps, { impulses, settleMs, tailMs }) {
  const train = new ImpulseTrain(FRAMES_PER_PACKET, PACKETS_PER_IMPULSE)
  const settleImpulses = Math.ceil(settleMs / IMPULSE_MS)
  const count = settleImpulses + impulses
  const tailPackets = Math.ceil(tailMs / ((FRAMES_PER_PACKET * 1000) / 48000))
  const sentMs = []
  await paceWrites(writer, FRAMES_PER_PACKET, count * PACKETS_PER_IMPULSE + tailPackets, (k) => {
    const index = train.impulseAt(k)
    if (index === undefined) return train.silence
    if (index >= count) return train.silence
    sentMs[index] = monotonicMs()
    return train.packet(k)
  })
  const deadline = performance.now() + 2000
  while (!taps.every((t) => t.seenMs.has(count - 1)) && performance.now() < deadline) await sleep(20)
  const pairs = pairImpulses(sentMs, taps[0].seenMs, taps[1].seenMs, sentMs[settleImpulses])
  if (pairs.skewMs.length === 0) throw new Error(`no impulse came out of both outputs (${taps[0].bytes} and ${taps[1].bytes} bytes read)`)
  return {
    ...figures(pairs),
    bytesPerRead: taps.map((t) => t.bytes / t.reads),
    /** Reads the taps took as the rest of the write before them (bench/impulse-tap.ts). */
    continuations: [taps[0].continuations, taps[1].continuations],
    /** tB - tA of every impulse in order, to 1 us: where in the run the outliers fall. */
    signedMs: pairs.signedMs.map((ms) => Math.round(ms * 1000) / 1000),
  }
}

/** The figures of two outputs' paired impulses (bench/skew-pairs.ts). */
function figures(pairs) {
  return {
    impulses: pairs.skewMs.length,
    missed: pairs.missed,
    skew: summary(pairs.skewMs),
    /** Median of tB - tA: which output is behind, and by how much. */
    bLaterP50: percentile(pairs.signedMs, 50),
    latencyA: summary(pairs.latencyAMs),
    latencyB: summary(pairs.latencyBMs),
  }
}

/** A busy loop on one core, for as long as the case runs. */
const busyLoop = (cpu) => spawnProcess('taskset', ['-c', String(cpu), process.execPath, '-e', 'for(;;){}'])

async function startRelay(serverPort, { delayMs, jitterMs }) {
  const relay = spawnNode(
    ['--import', 'tsx', join(ROOT, 'bench', 'impaired-relay.mjs'), String(serverPort), String(delayMs), String(jitterMs)],
    {
      cwd: ROOT,
    },
  )
  const { port } = await waitJson(relay.stderr, (e) => e.event === 'listening')
  return { relay, port }
}

/** One Synchro case of SYNCHRO_CASES. */
export async function synchroSkew(c, opts = {}) {
  return withTwoTaps({ busy: c.rigs.some((r) => r.busy) }, (taps) => synchroSkewInto(c, taps, opts))
}

async function synchroSkewInto(c, taps, { impulses = 100, settleMs = 5000 }) {
  const procs = []
  try {
    const server = spawnNode([
      ...SERVE_ON_LOOPBACK,
      '--source',
      'raw:-',
      '--frames',
      String(FRAMES_PER_PACKET),
      '--clients',
      '2',
      '--latency',
      String(SAME_LATENCY_MS),
      '--transport',
      c.show,
    ])
    procs.push(server)
    const serverEvents = lastEvents(server.stdout)
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rigs = []
    for (const [n, r] of c.rigs.entries()) {
      let rigPort = port
      if (r.via) {
        const { relay, port: relayPort } = await startRelay(port, r.via)
        procs.push(relay)
        rigPort = relayPort
      }
      const args = [
        CLI,
        'join',
        `127.0.0.1:${rigPort}`,
        '--name',
        `rig-${'ab'[n]}`,
        '--sink',
        'raw:-',
        // A rig's own --latency puts it out of step on purpose (the 5-and-20 case); the others play the show's.
        ...(r.latencyMs !== undefined ? ['--latency', String(r.latencyMs)] : []),
        ...(r.args ?? []),
        '--transport',
        r.transport,
        '--json',
      ]
      if (r.busy) procs.push(busyLoop(BUSY_CPU))
      const rig = r.busy
        ? spawnProcess('taskset', ['-c', String(BUSY_CPU), process.execPath, ...args], stdoutTo(taps[n]))
        : spawnNode(args, stdoutTo(taps[n]))
      taps[n].handedOver()
      procs.push(rig)
      rigs.push(rig)
    }
    await waitJson(server.stdout, (e) => e.event === 'init')
    const t = await timeOutputs(server.stdin, taps, { impulses, settleMs, tailMs: 500 })
    const stats = serverEvents.get('stats')
    const transports = ['rig-a', 'rig-b'].map((name) => stats?.rigs.find((r) => r.name === name)?.transport ?? '?')
    return { name: c.name, label: c.label, ...t, transports }
  } finally {
    await stopAll(procs)
  }
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

/** One Snapcast case of SNAPCAST_CASES, or undefined when Snapcast cannot be installed. */
export async function snapcastSkew(c, opts = {}) {
  if (!ensureSnapcast()) return undefined
  return withTwoTaps({ writeBytes: SNAPCLIENT_WRITE_BYTES, busy: c.busy }, (taps) => snapcastSkewInto(c, taps, opts))
}

async function snapcastSkewInto(c, taps, { impulses = 100, settleMs = 5000 }) {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-skew-'))
  const procs = []
  let writer
  try {
    const port = await freePort()
    const { server, fifo } = await startSnapserver(dir, port)
    procs.push(server)
    writer = openFifoWriter(fifo)
    if (c.busy) procs.push(busyLoop(BUSY_CPU))
    const clients = [
      startSnapclient(port, 1, undefined, stdoutTo(taps[0])),
      startSnapclient(port, 2, c.busy ? BUSY_CPU : undefined, stdoutTo(taps[1])),
    ]
    for (const t of taps) t.handedOver()
    procs.push(...clients)
    await waitText(server.errText, /Hello from synchro-bench-/, { count: 2, what: 'both snapclients to connect' })
    // Snapcast's buffer (1000 ms by default) sits between the pipe and the clients: a second
    // more of tail for the last impulses to come out.
    const t = await timeOutputs(writer, taps, { impulses, settleMs, tailMs: 1500 })
    return { name: c.name, label: c.label, ...t, fifoDropped: writer.dropped }
  } finally {
    await stopAll(procs)
    writer?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The harness's floor for two outputs exactly in step: two threads (bench/exact-writer.mjs)
 * each write the train to one tap's FIFO at the same CLOCK_MONOTONIC due times.
 */
export async function pairSkew({ impulses = 100, settleMs = 1000 } = {}) {
  return withTwoTaps({}, async (taps) => {
    const count = Math.ceil(settleMs / IMPULSE_MS) + impulses
    const packets = count * PACKETS_PER_IMPULSE + PACKETS_PER_IMPULSE
    const startMs = monotonicMs() + 50
    const o = { framesPerPacket: FRAMES_PER_PACKET, packets, every: PACKETS_PER_IMPULSE, base: IMPULSE_BASE, startMs }
    await Promise.all(taps.map((t) => exactWrites(t.fd, o)))
    const packetMs = (FRAMES_PER_PACKET * 1000) / 48000
    const sentMs = Array.from({ length: count }, (_, i) => startMs + i * PACKETS_PER_IMPULSE * packetMs)
    const deadline = performance.now() + 2000
    while (!taps.every((t) => t.seenMs.has(count - 1)) && performance.now() < deadline) await sleep(20)
    const pairs = pairImpulses(sentMs, taps[0].seenMs, taps[1].seenMs, sentMs[count - impulses])
    return { name: 'pair', label: 'two exact writers (harness floor)', ...figures(pairs) }
  })
}

/** The harness's own error: bench/bare-tee.mjs writes every chunk to two pipes at once. */
export async function bareSkew(opts = {}) {
  return withTwoTaps({}, (taps) => bareSkewInto(taps, opts))
}

async function bareSkewInto(taps, { impulses = 100, settleMs = 1000 }) {
  const tee = spawnNode([join(ROOT, 'bench', 'bare-tee.mjs')], { stdio: ['pipe', taps[0].fd, 'pipe', taps[1].fd] })
  for (const t of taps) t.handedOver()
  try {
    const t = await timeOutputs(tee.stdin, taps, { impulses, settleMs, tailMs: 200 })
    return { name: 'bare', label: 'bare tee (harness floor)', ...t }
  } finally {
    await stopAll([tee])
  }
}
