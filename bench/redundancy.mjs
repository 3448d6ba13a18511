// What --redundancy recovers at 5% random loss: a 6 s tone over UDP through the seeded
// impairment relay (test/helpers, run under tsx) to one rig, for N = 0, 1, 2. Reported:
// (N = 2 only fits a 1500-byte MTU with 64-frame packets.) Reported: datagrams the relay dropped, packets the rig recovered from redundant copies, and the
// share of the show it still had to conceal.
import { CLI, spawnNode, waitJson, SERVE_ON_LOOPBACK } from './lib.mjs'
import { ImpairmentRelay } from '../test/helpers/impairment-relay.ts'

export async function redundancy(n, { lossPct = 5, seconds = 6, frames = 128 } = {}) {
  const server = spawnNode([
    ...SERVE_ON_LOOPBACK,
    '--transport',
    'udp',
    '--source',
    'tone:440',
    '--duration',
    String(seconds),
    '--redundancy',
    String(n),
    '--frames',
    String(frames),
  ])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  const relay = await ImpairmentRelay.start({ host: '127.0.0.1', port }, { seed: 77, lossPct })
  const rig = spawnNode([CLI, 'join', `127.0.0.1:${relay.port}`, '--transport', 'udp', '--json'])
  const summary = await waitJson(rig.stdout, (e) => e.event === 'summary', (seconds + 10) * 1000)
  await relay.close()
  server.kill('SIGKILL')
  return {
    redundancy: n,
    frames,
    dropped: relay.down.dropped,
    datagrams: relay.down.received,
    recovered: summary.packetsRecovered,
    packets: summary.packetsReceived,
    concealedPct: (100 * summary.framesConcealed) / summary.framesPlayed,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const n of [0, 1]) console.log(await redundancy(n))
  console.log(await redundancy(2, { frames: 64 }))
  process.exit(0)
}
