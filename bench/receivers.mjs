// Light rigs for the fan-out bench, N of them in this one process (so their CPU is not
// the server's): each connects, completes the handshake (or not, for the bare server),
// reads frames, answers PINGs and checks AUDIO sequence numbers for gaps.
// usage: node receivers.mjs PORT N synchro|bare
import net from 'node:net'
import { Deframer } from '../dist/src/codec/deframer.js'
import { MSG } from '../dist/src/codec/header.js'
import { decodeFrame, encodeControl, encodePingPong, readControl, readPingPong } from '../dist/src/codec/messages.js'

const [port, count, mode] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]]
const stats = { frames: 0, bytes: 0, gaps: 0 }
for (let i = 0; i < count; i++) {
  const s = net.connect(port, '127.0.0.1')
  s.setNoDelay(true)
  if (mode === 'bare') {
    s.on('data', (c) => (stats.bytes += c.length))
    continue
  }
  const d = new Deframer(1 << 20)
  let session = 0
  let expected = -1
  s.on('data', (c) => {
    stats.bytes += c.length
    d.push(c)
    for (let f = d.next(); f; f = d.next()) {
      const frame = decodeFrame(f, 1 << 20)
      const h = frame.header
      if (h.type === MSG.AUDIO) {
        stats.frames++
        if (expected >= 0 && h.seq !== expected) stats.gaps++
        expected = (h.seq + 1) & 0xffff
      } else if (h.type === MSG.HELLO) {
        session = h.sessionId
        const hello = readControl(frame).body
        d.maxPayload = hello.maxPayload
        s.write(encodeControl({ type: MSG.HELLO_REPLY, body: { version: 1, name: `bench-${i}`, meta: {} } }, { sessionId: session }))
      } else if (h.type === MSG.PING) {
        s.write(encodePingPong(MSG.PONG, readPingPong(frame), { sessionId: session }))
      }
    }
  })
  s.on('error', () => {})
}
setInterval(() => process.stdout.write(JSON.stringify(stats) + '\n'), 500)
