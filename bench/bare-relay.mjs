// The bare baseline for one-way latency: stdin -> socket -> stdout through two plain Node
// processes, the same shape as `serve --source raw:-` -> `join --sink raw:-`.
// usage: node bare-relay.mjs in [tcp|udp]   (prints {"port":N}, relays stdin to the first peer)
//        node bare-relay.mjs out PORT [tcp|udp]
import net from 'node:net'
import dgram from 'node:dgram'

const role = process.argv[2]
const kind = (role === 'in' ? process.argv[3] : process.argv[4]) ?? 'tcp'
const say = (e) => process.stderr.write(JSON.stringify(e) + '\n')

if (kind === 'udp') {
  const s = dgram.createSocket('udp4')
  if (role === 'in') {
    let peer
    s.on('message', (_m, r) => (peer = r))
    // One datagram per stdin chunk: the writer sends one packet at a time.
    process.stdin.on('data', (c) => peer && s.send(c, peer.port, peer.address))
    s.bind(0, '127.0.0.1', () => say({ event: 'listening', port: s.address().port }))
  } else {
    s.on('message', (m) => process.stdout.write(m))
    s.send(Buffer.from('hi'), Number(process.argv[3]), '127.0.0.1', () => say({ event: 'init' }))
  }
} else if (role === 'in') {
  const server = net.createServer((s) => {
    s.setNoDelay(true)
    process.stdin.on('data', (c) => s.write(c))
    s.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => say({ event: 'listening', port: server.address().port }))
} else {
  const s = net.connect(Number(process.argv[3]), '127.0.0.1')
  s.setNoDelay(true)
  s.on('data', (c) => process.stdout.write(c))
  s.on('connect', () => say({ event: 'init' }))
}
