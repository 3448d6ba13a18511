// What a stranger's bytes may not do to a show (issue 14): a peer that speaks the protocol
// with a poisoned payload is refused in one line, and the real rig plays on.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { connectUdp } from '../../transports/udp-connect.js'
import { encodeFrame, decodeFrame, readControl } from '../../src/codec/messages.js'
import { MSG, peekType } from '../../src/codec/header.js'
import { killAll, serveOnFreePort, synchro } from '../helpers/cli.js'

test.after.each(killAll)

test('a UDP HELLO_REPLY whose meta nests 8,000 deep (the payload that crashed the server) is refused in one line; the show goes on for the real rig', async () => {
  const { server, port } = await serveOnFreePort(['--transport', 'udp', '--source', 'tone:440', '--duration', '2'])
  const rig = synchro(['join', `127.0.0.1:${port}`, '--transport', 'udp', '--name', 'steady', '--json'])
  await server.event('init')
  const stranger = await connectUdp('127.0.0.1', port, 5000)
  const terminated = new Promise<string>((resolve, reject) => {
    setTimeout(() => reject(new Error('no TERMINATE for the stranger within 10 s: ' + server.stderr.slice(-300))), 10_000).unref()
    stranger.on('frame', (bytes) => {
      if (peekType(bytes) === MSG.HELLO) {
        const sessionId = decodeFrame(bytes, 64 * 1024).header.sessionId
        const deep = `{"version":1,"name":"stranger","meta":{"a":${'['.repeat(8000)}${']'.repeat(8000)}}}`
        stranger.send(encodeFrame(MSG.HELLO_REPLY, new TextEncoder().encode(deep), { sessionId }), 'control')
      } else if (peekType(bytes) === MSG.TERMINATE) {
        const msg = readControl(decodeFrame(bytes, 64 * 1024))
        if (msg.type === MSG.TERMINATE) resolve(`${msg.body.code}: ${msg.body.reason}`)
      }
    })
  })
  assert.is(await terminated, 'protocol-error: HELLO_REPLY payload nests deeper than 8 levels')
  const rejected = await server.waitFor((e) => e.event === 'rejected', 5000, 'the refusal')
  assert.match(rejected.reason, /nests deeper than 8 levels/)
  stranger.abort(new Error('done'))
  const [r, s] = await Promise.all([rig.exit, server.exit])
  assert.equal([r.code, s.code], [0, 0], server.stderr.slice(-300))
  assert.not.match(server.stderr, /RangeError|\n {4}at /, 'no stack trace')
  const summary = await rig.event('summary')
  assert.is(summary.packetsLost, 0)
  assert.is(summary.framesPlayed, 2 * 48000, 'the whole show, the stranger or not')
})

test.run()
