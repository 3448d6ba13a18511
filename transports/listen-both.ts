// TCP and UDP on the same port number, so a rig needs one address for both (the server
// moves rigs between them mid-show).

import { listenTcp, type TcpListener } from './tcp.js'
import { listenUdp, type UdpListener } from './udp-listen.js'
import type { Transport } from './transport.js'

export interface BothListener {
  port: number
  udp: UdpListener
  close(): Promise<void>
}

/**
 * Listens on TCP and UDP at `port`. With port 0 the TCP port is picked first; if UDP's
 * twin is taken, both are tried again elsewhere.
 */
export async function listenBoth(
  host: string,
  port: number,
  attach: (t: Transport) => void,
  o: { sessionId: number; maxQueueBytes: number },
): Promise<BothListener> {
  for (let attempt = 0; ; attempt++) {
    const tcp: TcpListener = await listenTcp(host, port, (t) => attach(t), { maxQueueBytes: o.maxQueueBytes, stallTimeoutMs: 4000 })
    try {
      const udp = await listenUdp(host, tcp.port, (t) => attach(t), { sessionId: o.sessionId })
      return { port: tcp.port, udp, close: async () => void (await Promise.all([tcp.close(), udp.close()])) }
    } catch (err) {
      await tcp.close()
      if (port !== 0 || attempt >= 4) throw err
    }
  }
}
