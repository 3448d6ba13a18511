// Server CPU when fanning out 48 kHz stereo s16 over TCP to N rigs, for Synchro and for a
// bare Node net server sending the same bytes at the same pace, measured in the same run.
// Both read their audio from memory (Synchro from a raw file), so the work compared is
// pacing, framing and socket writes. The marginal CPU per rig is the slope between N values.
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, cpuSeconds, spawnNode, waitJson, sleep, SERVE_ON_LOOPBACK } from './lib.mjs'

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 4000)
let rawFile
function sourceFile() {
  if (!rawFile) {
    rawFile = join(mkdtempSync(join(tmpdir(), 'synchro-bench-')), 'silence.raw')
    writeFileSync(rawFile, Buffer.alloc(48000 * 4 * 120)) // 120 s of stereo s16
  }
  return rawFile
}

async function measure(_server, receiverArgs) {
  const receivers = spawnNode([join(ROOT, 'bench', 'receivers.mjs'), ...receiverArgs])
  let last = { frames: 0, gaps: 0, bytes: 0 }
  receivers.stdout.on('data', (c) => {
    const l = c.toString().trim().split('\n').pop()
    try {
      last = JSON.parse(l)
    } catch {}
  })
  return { receivers, last: () => last }
}

export async function fanoutCpu(rigs, framesPerPacket) {
  // Synchro
  const server = spawnNode([
    ...SERVE_ON_LOOPBACK,
    '--clients',
    String(rigs),
    '--frames',
    String(framesPerPacket),
    '--source',
    `raw:${sourceFile()}`,
  ])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  const rx = await measure(server, [String(port), String(rigs), 'synchro'])
  await waitJson(server.stdout, (e) => e.event === 'init', 15_000)
  await sleep(1000)
  const c0 = cpuSeconds(server.pid)
  const f0 = rx.last().frames
  await sleep(WINDOW_MS)
  const synchroCpu = ((cpuSeconds(server.pid) - c0) / (WINDOW_MS / 1000)) * 100
  const framesPerRigPerS = (rx.last().frames - f0) / rigs / (WINDOW_MS / 1000)
  const gaps = rx.last().gaps
  server.kill('SIGKILL')
  rx.receivers.kill('SIGKILL')

  // Bare
  const bare = spawnNode([join(ROOT, 'bench', 'bare-fanout-server.mjs'), String(framesPerPacket)])
  const { port: barePort } = await waitJson(bare.stdout, (e) => e.event === 'listening')
  const brx = await measure(bare, [String(barePort), String(rigs), 'bare'])
  await sleep(1000)
  const b0 = cpuSeconds(bare.pid)
  await sleep(WINDOW_MS)
  const bareCpu = ((cpuSeconds(bare.pid) - b0) / (WINDOW_MS / 1000)) * 100
  bare.kill('SIGKILL')
  brx.receivers.kill('SIGKILL')
  await sleep(200)
  return { rigs, framesPerPacket, synchroCpu, bareCpu, packetsPerRigPerS: framesPerRigPerS, gaps }
}
