// Light UDP rigs for the fan-out capacity bench, N in this one process (their CPU is not
// the server's). Synchro mode: the real UDP transport (CONNECT, ACKs), HELLO_REPLY, PONG,
// then count AUDIO, sequence gaps, and packets that came more than LATE_MS after their
// schedule (arrival vs. the fastest transit seen: what a 20 ms jitter buffer would lose).
// Bare mode: a plain dgram socket that says "hi" and checks a 16-bit counter.
// usage: node udp-receivers.mjs PORT N synchro|bare
import dgram from 'node:dgram'
import { connectUdp } from '../dist/transports/udp-connect.js'
import { MSG } from '../dist/src/codec/header.js'
import { decodeFrame, encodeControl, encodePingPong, readControl, readPingPong } from '../dist/src/codec/messages.js'

const [port, count, mode] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]]
const LATE_MS = 20
const stats = { frames: 0, gaps: 0, late: 0, rigs: 0 }

function tracker() {
  let expected = -1
  let first = -1
  let base = Infinity
  return (seq, packetMs) => {
    const now = performance.now()
    stats.frames++
    if (expected >= 0 && seq !== expected) stats.gaps++
    expected = (seq + 1) & 0xffff
    if (first < 0) first = seq
    const transit = now - ((seq - first + 0x10000) & 0xffff) * packetMs
    if (transit < base) base = transit
    else if (transit - base > LATE_MS) stats.late++
  }
}

for (let i = 0; i < count; i++) {
  const track = tracker()
  if (mode === 'bare') {
    const s = dgram.createSocket('udp4')
    s.on('message', (m) => track(m.readUInt16BE(0), m.readFloatBE(2)))
    s.send(Buffer.from('hi'), port, '127.0.0.1')
    stats.rigs++
    continue
  }
  const t = await connectUdp('127.0.0.1', port, 5000)
  let session = 0
  let packetMs = 0
  t.on('frame', (bytes) => {
    const frame = decodeFrame(bytes, 1 << 20)
    const h = frame.header
    if (h.type === MSG.AUDIO) track(h.seq, packetMs)
    else if (h.type === MSG.HELLO) {
      session = h.sessionId
      const hello = readControl(frame).body
      packetMs = (hello.format.framesPerPacket * 1000) / hello.format.rateHz
      t.setMaxPayload(hello.maxPayload)
      t.send(encodeControl({ type: MSG.HELLO_REPLY, body: { version: 1, name: `bench-${i}`, meta: {} } }, { sessionId: session }))
      stats.rigs++
    } else if (h.type === MSG.PING) {
      t.send(encodePingPong(MSG.PONG, readPingPong(frame), { sessionId: session }))
    }
  })
}
setInterval(() => process.stdout.write(JSON.stringify(stats) + '\n'), 500)
