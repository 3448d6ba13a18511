// The bare baseline for fan-out: a plain net server that paces the same 48 kHz frames
// (same sizes, drift-free) and writes one buffer to every socket. No protocol at all.
// usage: node bare-fanout-server.mjs FRAMES_PER_PACKET
import net from 'node:net'

const frames = Number(process.argv[2] ?? 128)
const packet = Buffer.alloc(20 + frames * 4, 1)
const packetMs = (frames * 1000) / 48000
const sockets = new Set()
const server = net.createServer((s) => {
  s.setNoDelay(true)
  sockets.add(s)
  s.on('close', () => sockets.delete(s))
  s.on('error', () => {})
})
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ event: 'listening', port: server.address().port }) + '\n'))
const start = performance.now()
let sent = 0
const loop = () => {
  const now = performance.now()
  while (start + sent * packetMs <= now) {
    sent++
    const out = Buffer.from(packet) // a fresh buffer per packet, shared by every socket, as Synchro does
    out.writeUInt16BE(sent & 0xffff, 6)
    for (const s of sockets) s.write(out)
  }
  setTimeout(loop, Math.max(0, start + sent * packetMs - performance.now()))
}
loop()
