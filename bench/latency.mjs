// One-way audio latency on loopback: an impulse written into `serve --source raw:-` is
// timed until it comes out of `join --sink raw:- --latency 0`, beside a bare Node
// stdin -> TCP -> stdout relay fed the same way in the same run. Packets are written at
// real-time pace; every 20th carries a one-sample impulse, everything else is silence.
import { join } from 'node:path'
import { CLI, ROOT, paceWrites, spawnNode, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'

async function impulses(writer, reader, framesPerPacket, count, warmupPackets = 40) {
  const packetBytes = framesPerPacket * 4
  const silence = Buffer.alloc(packetBytes)
  const impulse = Buffer.alloc(packetBytes)
  impulse.writeInt16LE(0x7fff, 0)
  const sentAt = []
  const latencies = []
  reader.on('data', (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0) {
        const t = sentAt[latencies.length]
        if (t !== undefined) latencies.push(performance.now() - t)
        // One impulse is two non-zero bytes at most: skip the rest of this sample.
        i++
      }
    }
  })
  await paceWrites(writer, framesPerPacket, count * 20 + warmupPackets, (k) => {
    if (k >= warmupPackets && k % 20 === 0) {
      sentAt.push(performance.now())
      return impulse
    }
    return silence
  })
  await sleep(300)
  return latencies
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
  await waitJson(server.stdout, (e) => e.event === 'init')
  // On UDP the jitter buffer starts deep and settles once the path proves calm (two 2 s
  // windows): measure the settled latency, which is what a show runs at.
  const warmup = transport === 'udp' ? Math.ceil(5000 / ((framesPerPacket * 1000) / 48000)) : 40
  const synchro = await impulses(server.stdin, rig.stdout, framesPerPacket, count, warmup)
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
  return {
    framesPerPacket,
    packetMs,
    impulses: synchro.length,
    p50: percentile(synchro, 50),
    p99: percentile(synchro, 99),
    bareP50: percentile(bare, 50),
    bareP99: percentile(bare, 99),
  }
}
