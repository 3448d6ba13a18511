// The bare baseline for UDP fan-out: a plain Node dgram sender. Every address that says
// "hi" gets the same 48 kHz stereo s16 packets (a 16-bit counter, the packet length in ms,
// silence), paced drift-free, one send per rig per packet: Synchro's work minus the protocol.
// usage: node bare-dgram-server.mjs FRAMES_PER_PACKET
import dgram from 'node:dgram'

const frames = Number(process.argv[2] ?? 128)
const packetMs = (frames * 1000) / 48000
const rigs = []
const s = dgram.createSocket('udp4')
s.on('message', (_m, r) => rigs.push([r.port, r.address]))
s.bind(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: s.address().port }) + '\n')
  const start = performance.now()
  let k = 0
  const loop = () => {
    const now = performance.now()
    while (start + k * packetMs <= now) {
      const p = Buffer.alloc(20 + frames * 4)
      p.writeUInt16BE(k & 0xffff, 0)
      p.writeFloatBE(packetMs, 2)
      for (const [port, address] of rigs) s.send(p, port, address)
      k++
    }
    setTimeout(loop, Math.max(0, start + k * packetMs - performance.now()))
  }
  loop()
})
