// How many rigs one server feeds over UDP at 48 kHz stereo s16 (128 frames/packet) on this
// machine with nothing lost and nothing late, beside a bare Node dgram sender doing the
// same fan-out in the same run. Per point: server CPU, sequence gaps, late packets.
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, cpuSeconds, spawnNode, waitJson, sleep, SERVE_ON_LOOPBACK } from './lib.mjs'

const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 4000)
let rawFile
function sourceFile() {
  if (!rawFile) {
    rawFile = join(mkdtempSync(join(tmpdir(), 'synchro-bench-')), 'silence.raw')
    writeFileSync(rawFile, Buffer.alloc(48000 * 4 * 120))
  }
  return rawFile
}

async function window(serverPid, receivers) {
  let last = { frames: 0, gaps: 0, late: 0, rigs: 0 }
  receivers.stdout.on('data', (c) => {
    try {
      last = JSON.parse(c.toString().trim().split('\n').pop())
    } catch {}
  })
  await sleep(1500)
  const c0 = cpuSeconds(serverPid)
  const s0 = { ...last }
  await sleep(WINDOW_MS)
  const cpu = ((cpuSeconds(serverPid) - c0) / (WINDOW_MS / 1000)) * 100
  return {
    cpu,
    gaps: last.gaps - s0.gaps,
    late: last.late - s0.late,
    packetsPerS: (last.frames - s0.frames) / (WINDOW_MS / 1000),
    rigs: last.rigs,
  }
}

export async function udpFanout(rigs) {
  const server = spawnNode([...SERVE_ON_LOOPBACK, '--transport', 'udp', '--clients', String(rigs), '--source', `raw:${sourceFile()}`])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  const rx = spawnNode([join(ROOT, 'bench', 'udp-receivers.mjs'), String(port), String(rigs), 'synchro'])
  await waitJson(server.stdout, (e) => e.event === 'init', 20_000)
  const synchro = await window(server.pid, rx)
  server.kill('SIGKILL')
  rx.kill('SIGKILL')

  const bare = spawnNode([join(ROOT, 'bench', 'bare-dgram-server.mjs'), '128'])
  const { port: barePort } = await waitJson(bare.stdout, (e) => e.event === 'listening')
  const brx = spawnNode([join(ROOT, 'bench', 'udp-receivers.mjs'), String(barePort), String(rigs), 'bare'])
  const b = await window(bare.pid, brx)
  bare.kill('SIGKILL')
  brx.kill('SIGKILL')
  await sleep(200)
  const clean = (r) => r.gaps === 0 && r.late === 0 && r.packetsPerS > 0.99 * rigs * 375
  return { rigs, synchro, bare: b, synchroClean: clean(synchro), bareClean: clean(b) }
}
