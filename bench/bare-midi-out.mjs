// The bare baseline's far end for MIDI latency: bytes from a socket (bare-relay.mjs in)
// become one JSON line per 3-byte message on stdout, the shape of `join --midi-out log --json`.
// usage: node bare-midi-out.mjs PORT tcp|udp
import net from 'node:net'
import dgram from 'node:dgram'

const [port, kind] = [Number(process.argv[2]), process.argv[3] ?? 'tcp']
const say = (e) => process.stderr.write(JSON.stringify(e) + '\n')
let pending = []
const onBytes = (b) => {
  for (const x of b) {
    pending.push(x)
    if (pending.length === 3) {
      process.stdout.write(JSON.stringify({ event: 'midi', data: pending }) + '\n')
      pending = []
    }
  }
}
if (kind === 'udp') {
  const s = dgram.createSocket('udp4')
  s.on('message', onBytes)
  s.send(Buffer.from('hi'), port, '127.0.0.1', () => say({ event: 'init' }))
} else {
  const s = net.connect(port, '127.0.0.1')
  s.setNoDelay(true)
  s.on('data', onBytes)
  s.on('connect', () => say({ event: 'init' }))
}
