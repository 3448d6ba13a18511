// listenBoth: TCP and UDP on one port number, so a rig reaches the show at one address.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import dgram from 'node:dgram'
import { listenBoth } from '../../transports/listen-both.js'
import { connectTcp } from '../../transports/tcp.js'
import { connectUdp } from '../../transports/udp-connect.js'
import type { Transport } from '../../transports/transport.js'
import { until } from '../helpers/transport-pairs.js'

test('port 0: TCP and UDP listen on the same free port, and both attach their transports', async () => {
  const attached: Transport[] = []
  const both = await listenBoth('127.0.0.1', 0, (t) => attached.push(t), { sessionId: 7, maxQueueBytes: 64 * 1024 })
  try {
    assert.ok(both.port > 0, 'a port was picked')
    const tcp = await connectTcp('127.0.0.1', both.port, 2000)
    const udp = await connectUdp('127.0.0.1', both.port, 2000)
    await until(() => attached.length === 2)
    assert.equal(attached.map((t) => t.kind).sort(), ['tcp', 'udp'])
    tcp.abort(new Error('done'))
    udp.abort(new Error('done'))
  } finally {
    await both.close()
  }
})

test('a fixed port whose UDP twin is taken: the TCP side is closed again and the error comes out', async () => {
  const blocker = dgram.createSocket('udp4')
  await new Promise<void>((r) => blocker.bind(0, '127.0.0.1', () => r()))
  const port = blocker.address().port
  try {
    await listenBoth('127.0.0.1', port, () => {}, { sessionId: 7, maxQueueBytes: 64 * 1024 })
    assert.unreachable('listened on a taken port')
  } catch (err) {
    assert.match((err as Error).message, new RegExp(String(port)))
  }
  // The TCP port is free again: listening there works.
  blocker.close()
  const again = await listenBoth('127.0.0.1', port, () => {}, { sessionId: 7, maxQueueBytes: 64 * 1024 })
  assert.is(again.port, port)
  await again.close()
})

test.run()
