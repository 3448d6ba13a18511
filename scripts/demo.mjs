// npm run demo: a server and two rigs on loopback, one on TCP and one on UDP, a 440 Hz
// tone for 3 seconds, no sound card needed. Prints what each process says and where the
// recordings are, and checks they are identical.
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'dist', 'src', 'cli', 'main.js')
const out = join(root, 'demo-out')
mkdirSync(out, { recursive: true })

function start(label, args) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const print = (chunk) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) console.log(`${label.padEnd(8)} ${line}`)
  }
  child.stdout.on('data', print)
  child.stderr.on('data', print)
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited }
}

// The server prints its port; --port 0 picks a free one so the demo never clashes.
const server = start('[server]', [
  'serve',
  '--host',
  '127.0.0.1',
  '--port',
  '0',
  '--source',
  'tone:440',
  '--clients',
  '2',
  '--duration',
  '3',
  '--name',
  'demo',
])
const port = await new Promise((resolve, reject) => {
  server.child.stdout.on('data', (c) => {
    const m = /listening on tcp [^:]+:(\d+)/.exec(c.toString())
    if (m) resolve(Number(m[1]))
  })
  server.exited.then(() => reject(new Error('the server exited before listening')))
})
const rigs = [
  ['left', 'tcp'],
  ['right', 'udp'],
].map(([name, transport]) =>
  start(`[${name}]`, ['join', `127.0.0.1:${port}`, '--name', name, '--transport', transport, '--sink', `wav:${join(out, `${name}.wav`)}`]),
)
const codes = await Promise.all([server.exited, ...rigs.map((r) => r.exited)])
const [a, b] = ['left', 'right'].map((n) => readFileSync(join(out, `${n}.wav`)))
console.log(
  `\nrecordings: demo-out/left.wav (${a.length} bytes), demo-out/right.wav (${b.length} bytes), ${a.equals(b) ? 'identical' : 'DIFFERENT'}`,
)
console.log(`exit codes: server ${codes[0]}, left ${codes[1]}, right ${codes[2]}`)
process.exit(codes.every((c) => c === 0) && a.equals(b) ? 0 : 1)
