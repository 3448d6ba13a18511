// One-way MIDI latency on loopback: note-ons written into `serve --midi-in raw:-` are timed
// until their line comes out of `join --midi-timing immediate --midi-out log --json`, beside a bare Node relay of
// the same shape (stdin -> socket -> one JSON line per message) in the same run. Both are
// warmed up with 3000 controller messages first, as a show that has been running is.
import { join } from 'node:path'
import { CLI, ROOT, spawnNode, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'

/** A show runs for hours: warm the path up (V8 optimises what runs often) before timing it. */
async function warmUp(writer, messages = 3000) {
  for (let k = 0; k < messages; k += 30) {
    const burst = []
    for (let i = 0; i < 30; i++) burst.push(0xb0, 1, (k + i) & 127)
    writer.write(Uint8Array.from(burst))
    await sleep(2)
  }
  await sleep(300)
}

async function notes(writer, reader, count, everyMs = 10) {
  const sentAt = new Map()
  const latencies = []
  let buf = ''
  reader.on('data', (chunk) => {
    const now = performance.now()
    buf += chunk.toString()
    const lines = buf.split('\n')
    buf = lines.pop()
    for (const line of lines) {
      if (!line.startsWith('{"event":"midi"')) continue
      const d = JSON.parse(line).data
      const t = sentAt.get(`${d[1]}:${d[2]}`)
      if (t !== undefined && d[0] === 0x90) latencies.push(now - t)
    }
  })
  for (let k = 0; k < count; k++) {
    const note = k % 128
    const vel = 1 + Math.floor(k / 128)
    sentAt.set(`${note}:${vel}`, performance.now())
    writer.write(Uint8Array.of(0x90, note, vel))
    await sleep(everyMs)
  }
  await sleep(300)
  return latencies
}

/** Warms a pair up, measures `count` notes from `sender`'s stdin to `receiver`'s stdout, then ends both. */
async function measurePair(sender, receiver, count, settleMs) {
  await sleep(settleMs)
  await warmUp(sender.stdin)
  const latencies = await notes(sender.stdin, receiver.stdout, count)
  sender.kill('SIGKILL')
  receiver.kill('SIGKILL')
  return latencies
}

export async function midiLatency(transport, count = 300) {
  const server = spawnNode([...SERVE_ON_LOOPBACK, '--source', 'none', '--midi-in', 'raw:-', '--transport', transport])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  // --midi-timing immediate: the lowest latency, what a forwarded controller gets (the default, show, waits for the show time).
  const rig = spawnNode([
    CLI,
    'join',
    `127.0.0.1:${port}`,
    '--transport',
    transport,
    '--midi-timing',
    'immediate',
    '--midi-out',
    'log',
    '--json',
  ])
  await waitJson(server.stdout, (e) => e.event === 'init')
  const synchro = await measurePair(server, rig, count, 500)

  const relayIn = spawnNode([join(ROOT, 'bench', 'bare-relay.mjs'), 'in', transport])
  const { port: barePort } = await waitJson(relayIn.stderr, (e) => e.event === 'listening')
  const relayOut = spawnNode([join(ROOT, 'bench', 'bare-midi-out.mjs'), String(barePort), transport])
  await waitJson(relayOut.stderr, (e) => e.event === 'init')
  const bare = await measurePair(relayIn, relayOut, count, 300)
  return {
    transport,
    messages: count,
    delivered: synchro.length,
    p50: percentile(synchro, 50),
    p99: percentile(synchro, 99),
    bareP50: percentile(bare, 50),
    bareP99: percentile(bare, 99),
  }
}
