// The real `synchro tui` in a pseudo-terminal (tmux) against real rigs on loopback: the
// rigs appear, a key starts the stream and their counters move, a key stops the show and
// the rigs exit 0, and the console leaves on q.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import net from 'node:net'
import { CLI, killAll, synchro } from '../helpers/cli.js'
import { Tmux } from '../helpers/tmux.js'
import { until } from '../helpers/wait.js'

const term = new Tmux()
test.after(() => {
  killAll()
  term.kill()
})

/** A port free on TCP right now (the console listens on TCP and UDP on the same number). */
async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1')
  await new Promise((r) => s.once('listening', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

test('run a show from the console: rigs appear, s starts, counters move, it reflows when resized, t y stops it, rigs exit 0, q leaves', async () => {
  const port = await freePort()
  // CI=true as on the CI machine: Ink draws only its last frame when it thinks it runs
  // in CI, and the console must still draw live there (it did not, once).
  term.start(`env CI=true '${process.execPath}' '${CLI}' tui --host 127.0.0.1 --port ${port} --name 'Console test'`, 80, 24)
  await term.waitFor(/Console test\s+WAITING\s+TCP :\d+/)
  const a = synchro(['join', `127.0.0.1:${port}`, '--name', 'rig-a', '--json'])
  const b = synchro(['join', `127.0.0.1:${port}`, '--name', 'rig-b', '--transport', 'udp', '--json'])
  await term.waitFor(/rig-a\s+tcp\s+ready[\s\S]*rig-b\s+tcp\s+ready/)
  term.keys('s')
  await Promise.all([a.event('init'), b.event('init')])
  const moving = await a.waitFor((e) => e.event === 'stats' && e.framesPlayed > 0, 10_000, 'frames played')
  assert.ok(moving.framesPlayed > 0)
  const screen = await term.waitFor(/STREAMING[\s\S]*[1-9]\d* packets sent[\s\S]*ch1 +\[=+/)
  assert.match(screen, /rig-a\s+tcp\s+streaming/)
  assert.match(screen, /s start {2}t stop {2}x tcp\/udp/)
  assert.not.match(screen, /ADDRESS/, 'at 80 columns the address column does not fit')
  term.resize(130, 30)
  await term.waitFor(/RIG +ADDRESS[\s\S]*rig-a +127\.0\.0\.1:\d+/)
  term.keys('t')
  await term.waitFor(/Stop the show\? Every rig gets TERMINATE\. y \/ n/)
  term.keys('y')
  const [ea, eb] = await Promise.all([a.exit, b.exit])
  assert.equal([ea.code, eb.code], [0, 0], a.stderr + b.stderr)
  assert.is((await a.event('terminate')).reason, 'stopped by the operator')
  await term.waitFor(/the show is over: q to leave the console/)
  term.keys('q')
  await until(() => !term.alive(), 10_000, 'the console to exit', 100)
  assert.is(term.alive(), false, 'the console exited')
})

test.run()
