// One-way audio latency on loopback: an impulse written into `serve --source raw:-
// --latency MS` is timed until it comes out of `join --sink raw:-` (on the show clock),
// beside a bare Node stdin -> TCP/UDP -> stdout relay fed the same way in the same run.
// Packets are written at exact real-time pace from a thread (precise-pacer.mjs); every 20th
// carries a numbered one-sample impulse, everything else is silence. With it: how many
// impulses never came out, and the share of the rig's frames it concealed.
import { join } from 'node:path'
import { CLI, ROOT, onJsonLines, spawnNode, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'
import { preciseWrites } from './precise-pacer.mjs'
import { IMPULSE_BASE, ImpulseTap } from './impulse-tap.ts'

/**
 * One-way latency of numbered impulses, from their write into `writer` to their first
 * appearance on `reader`: impulse i is valued IMPULSE_BASE + i in the left sample of a
 * packet's first frame, one every 20 packets, written at exact pace from a thread
 * (bench/precise-pacer.mjs) and read by the skew bench's ImpulseTap. Impulses that never come
 * out (concealed) are counted, not mismatched.
 */
async function impulses(writer, reader, framesPerPacket, count, warmupPackets = 40) {
  const tap = new ImpulseTap()
  reader.on('data', (chunk) => tap.push(chunk, performance.now()))
  const sent = await preciseWrites(writer, framesPerPacket, count * 20 + warmupPackets, 20, warmupPackets, IMPULSE_BASE)
  await sleep(300)
  const latencies = []
  for (const [index, t] of sent) {
    const out = tap.seenMs.get(index)
    if (out !== undefined) latencies.push(out - t)
  }
  return { latencies, missed: sent.size - latencies.length }
}

/** transport: 'tcp' | 'udp'; latencyMs: the rig's --latency (the jitter buffer's floor on UDP). */
export async function latency(framesPerPacket, count = 100, { transport = 'tcp', latencyMs = 0 } = {}) {
  // The show's latency is the server's to set: the rig plays on the show clock.
  const server = spawnNode([
    ...SERVE_ON_LOOPBACK,
    '--source',
    'raw:-',
    '--frames',
    String(framesPerPacket),
    '--transport',
    transport,
    '--latency',
    String(latencyMs),
  ])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  const rig = spawnNode([CLI, 'join', `127.0.0.1:${port}`, '--sink', 'raw:-', '--transport', transport, '--json'])
  const rigStats = []
  onJsonLines(rig.stderr, (e) => {
    if (e.event === 'stats') rigStats.push({ at: performance.now(), e })
  })
  await waitJson(server.stdout, (e) => e.event === 'init')
  // The first seconds settle the clock estimate (its burst, then a rate once the samples
  // span 2 s): measure what a show runs at, after 3 s.
  const warmup = Math.ceil(3000 / ((framesPerPacket * 1000) / 48000))
  const writesFrom = performance.now()
  const synchro = await impulses(server.stdin, rig.stdout, framesPerPacket, count, warmup)
  const before = rigStats.find((s) => s.at >= writesFrom + 3000)?.e
  const after = rigStats.at(-1)?.e
  server.kill('SIGKILL')
  rig.kill('SIGKILL')

  const relayIn = spawnNode([join(ROOT, 'bench', 'bare-relay.mjs'), 'in', transport])
  const { port: barePort } = await waitJson(relayIn.stderr, (e) => e.event === 'listening')
  const relayOut = spawnNode([join(ROOT, 'bench', 'bare-relay.mjs'), 'out', String(barePort), transport])
  await waitJson(relayOut.stderr, (e) => e.event === 'init')
  await sleep(100)
  const bare = await impulses(relayIn.stdin, relayOut.stdout, framesPerPacket, count)
  relayIn.kill('SIGKILL')
  relayOut.kill('SIGKILL')
  const packetMs = (framesPerPacket * 1000) / 48000
  // Concealed over the measured stretch (stats come once a second).
  const played = (after?.framesPlayed ?? 0) - (before?.framesPlayed ?? 0)
  const concealed = (after?.framesConcealed ?? 0) - (before?.framesConcealed ?? 0)
  return {
    framesPerPacket,
    packetMs,
    latencyMs,
    concealedPct: played > 0 ? (100 * concealed) / played : null,
    syncState: after?.sync?.state ?? null,
    impulses: synchro.latencies.length,
    missed: synchro.missed,
    p50: percentile(synchro.latencies, 50),
    p99: percentile(synchro.latencies, 99),
    bareP50: percentile(bare.latencies, 50),
    bareP99: percentile(bare.latencies, 99),
    bareMissed: bare.missed,
  }
}
