// A rig's UDP endpoint: a connected socket toward the server, knocking with CONNECT
// until the server answers.

import dgram from 'node:dgram'
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import { ConnectionError, type SynchroError, TimeoutError } from '../src/errors.js'
import type { Clock } from '../src/clock.js'
import { UdpTransport, connectDatagram } from './udp.js'
import { systemClock } from '../src/clock.js'

const CONNECT_RETRY_MS = 200

export interface UdpConnectOptions {
  /** Times the knocking, the connect timeout and then the transport. @default systemClock (the CLI passes none) */
  clock?: Clock
}

/**
 * Opens a UDP session toward a server: sends CONNECT (padded) until the server answers,
 * then resolves with the transport. The first answer is delivered on the next turn of
 * the event loop, once the caller has attached its listeners.
 */
export async function connectUdp(host: string, port: number, timeoutMs: number, o: UdpConnectOptions = {}): Promise<UdpTransport> {
  const clock = o.clock ?? systemClock
  let address: string
  try {
    address = isIP(host) ? host : (await lookup(host)).address
  } catch {
    throw new ConnectionError('CONNECT_FAILED', `cannot reach ${host}:${port}: unknown host`)
  }
  const socket = dgram.createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' })
  return new Promise((resolve, reject) => {
    let settled = false
    let retry: unknown
    const transport = new UdpTransport({
      remote: `${host}:${port}`,
      sendDatagram: (b) => socket.send(b, (err) => err && onError(err)),
      onClosed: () => socket.close(),
      clock,
    })
    const stopKnocking = (): void => {
      clock.clearTimeout(timer)
      if (retry !== undefined) clock.clearTimeout(retry)
    }
    const fail = (err: SynchroError): void => {
      if (settled) return
      settled = true
      stopKnocking()
      socket.close()
      reject(err)
    }
    const onError = (err: NodeJS.ErrnoException): void => {
      if (!settled) {
        fail(
          new ConnectionError(
            'CONNECT_FAILED',
            `cannot reach ${host}:${port} over UDP: ${err.code === 'ECONNREFUSED' ? 'connection refused (is `synchro serve` running there?)' : err.message}`,
            { cause: err },
          ),
        )
      }
      // Later, a refusal (ICMP port unreachable) may be a server restarting: the session's
      // keep-alive decides when the server is gone, as it does for a silent network.
    }
    const timer = clock.setTimeout(
      () =>
        fail(
          new TimeoutError(
            'CONNECT_TIMEOUT',
            `cannot reach ${host}:${port} over UDP: no answer within ${(timeoutMs / 1000).toFixed(1)} s (is the server up, and UDP port ${port} open?)`,
          ),
        ),
      timeoutMs,
    )
    socket.on('error', onError)
    socket.on('message', (msg) => {
      if (!settled) {
        settled = true
        stopKnocking()
        resolve(transport)
        // Not a timer: the next turn of the event loop, after the caller's listeners are on.
        setImmediate(() => transport.receive(msg))
        return
      }
      transport.receive(msg)
    })
    socket.connect(port, address, () => {
      const hello = connectDatagram()
      const knock = (): void => {
        if (settled) return
        socket.send(hello, (err) => err && onError(err))
        retry = clock.setTimeout(knock, CONNECT_RETRY_MS)
      }
      knock()
    })
  })
}
