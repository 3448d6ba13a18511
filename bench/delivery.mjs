// Delivery latency: from a packet written into `serve --source raw:-` to its AUDIO frame
// arriving at a light receiver (no playout), beside the bare relay's first hop measured
// the same way. This is the protocol's own cost, without any rig's playout buffer.
import net from 'node:net'
import { join } from 'node:path'
import { Deframer } from '../dist/src/codec/deframer.js'
import { MSG } from '../dist/src/codec/header.js'
import { decodeFrame, encodeControl } from '../dist/src/codec/messages.js'
import { ROOT, paceWrites, spawnNode, waitJson, sleep, percentile, SERVE_ON_LOOPBACK } from './lib.mjs'

/** Paced silence with a marker (its number in the first two bytes) in every 20th packet. */
async function drive(writer, framesPerPacket, count, onMarker) {
  await paceWrites(writer, framesPerPacket, count * 20 + 40, (k) => {
    const b = Buffer.alloc(framesPerPacket * 4)
    if (k >= 40 && k % 20 === 0) {
      b.writeUInt16LE(k / 20, 0)
      onMarker(k / 20, performance.now())
    }
    return b
  })
  await sleep(200)
}

export async function delivery(framesPerPacket, count = 100) {
  const sentAt = new Map()
  const synchro = []
  const server = spawnNode([...SERVE_ON_LOOPBACK, '--source', 'raw:-', '--frames', String(framesPerPacket)])
  const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
  const s = net.connect(port, '127.0.0.1')
  s.setNoDelay(true)
  const d = new Deframer(1 << 20)
  s.on('data', (c) => {
    d.push(c)
    for (let f = d.next(); f; f = d.next()) {
      const frame = decodeFrame(f, 1 << 20)
      const h = frame.header
      if (h.type === MSG.HELLO)
        s.write(encodeControl({ type: MSG.HELLO_REPLY, body: { version: 1, name: 'probe', meta: {} } }, { sessionId: h.sessionId }))
      else if (h.type === MSG.AUDIO) {
        const marker = frame.payload[0] | (frame.payload[1] << 8)
        if (marker && sentAt.has(marker)) synchro.push(performance.now() - sentAt.get(marker))
      }
    }
  })
  await waitJson(server.stdout, (e) => e.event === 'init')
  await drive(server.stdin, framesPerPacket, count, (m, t) => sentAt.set(m, t))
  server.kill('SIGKILL')
  s.destroy()

  // Bare: the relay's first hop, stdin -> TCP, read by a plain socket here.
  const bare = []
  const bareSent = new Map()
  const relayIn = spawnNode([join(ROOT, 'bench', 'bare-relay.mjs'), 'in'])
  const { port: barePort } = await waitJson(relayIn.stderr, (e) => e.event === 'listening')
  const b = net.connect(barePort, '127.0.0.1')
  b.setNoDelay(true)
  let pending = Buffer.alloc(0)
  const packetBytes = framesPerPacket * 4
  b.on('data', (c) => {
    pending = pending.length ? Buffer.concat([pending, c]) : c
    while (pending.length >= packetBytes) {
      const marker = pending[0] | (pending[1] << 8)
      if (marker && bareSent.has(marker)) bare.push(performance.now() - bareSent.get(marker))
      pending = pending.subarray(packetBytes)
    }
  })
  await new Promise((r) => b.once('connect', r))
  await sleep(100)
  await drive(relayIn.stdin, framesPerPacket, count, (m, t) => bareSent.set(m, t))
  relayIn.kill('SIGKILL')
  b.destroy()
  return {
    framesPerPacket,
    n: synchro.length,
    p50: percentile(synchro, 50),
    p99: percentile(synchro, 99),
    bareP50: percentile(bare, 50),
    bareP99: percentile(bare, 99),
  }
}
