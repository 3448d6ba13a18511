// The bare baseline for one-way latency: stdin -> TCP -> stdout through two plain Node
// processes, the same shape as `serve --source raw:-` -> `join --sink raw:-`.
// usage: node bare-relay.mjs in   (prints {"port":N}, relays stdin to the first connection)
//        node bare-relay.mjs out PORT
import net from 'node:net'

if (process.argv[2] === 'in') {
  const server = net.createServer((s) => {
    s.setNoDelay(true)
    process.stdin.on('data', (c) => s.write(c))
    s.on('error', () => {})
  })
  server.listen(0, '127.0.0.1', () => process.stderr.write(JSON.stringify({ event: 'listening', port: server.address().port }) + '\n'))
} else {
  const s = net.connect(Number(process.argv[3]), '127.0.0.1')
  s.setNoDelay(true)
  s.on('data', (c) => process.stdout.write(c))
  s.on('connect', () => process.stderr.write(JSON.stringify({ event: 'init' }) + '\n'))
}
