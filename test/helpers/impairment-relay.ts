// A userspace impairment relay for UDP (this machine's kernel has no netem): sits between
// rigs and a server on loopback and, from a seed, loses, delays, jitters, duplicates and
// reorders datagrams, and can black out the path for a window. Each client gets its own
// upstream socket, as behind a NAT, so the server sees one address per rig.

import dgram from 'node:dgram'

export interface Impairment {
  /** Seed for every random choice, so a failing run can be replayed. */
  seed: number
  /** Percent of server -> rig datagrams dropped. */
  lossPct?: number
  /** Percent of rig -> server datagrams dropped. */
  upstreamLossPct?: number
  /** Fixed one-way delay, both directions. */
  delayMs?: number
  /** Each datagram's delay varies uniformly by up to this much either way. */
  jitterMs?: number
  /** Percent of datagrams sent twice. */
  duplicatePct?: number
  /** Percent of datagrams held back by an extra 2-3 packet gaps, so later ones overtake them. */
  reorderPct?: number
  /** Everything in both directions is dropped from startMs to startMs + durationMs after the relay starts. */
  outage?: { startMs: number; durationMs: number }
}

export interface DirectionStats {
  received: number
  forwarded: number
  dropped: number
  duplicated: number
  reordered: number
}

/** mulberry32: small, fast and good enough for test impairments. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const emptyStats = (): DirectionStats => ({ received: 0, forwarded: 0, dropped: 0, duplicated: 0, reordered: 0 })

export class ImpairmentRelay {
  readonly down = emptyStats()
  readonly up = emptyStats()
  // One generator per direction: how the two directions interleave in time varies from run
  // to run, and must not change which datagrams a seed hits.
  private readonly randomDown: () => number
  private readonly randomUp: () => number
  private readonly startedMs = Date.now()
  private readonly upstreams = new Map<string, dgram.Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closed = false

  private constructor(
    private readonly front: dgram.Socket,
    private readonly server: { host: string; port: number },
    private readonly o: Impairment,
  ) {
    this.randomDown = seededRandom(o.seed)
    this.randomUp = seededRandom(o.seed ^ 0x9e3779b9)
    front.on('message', (msg, from) => this.fromClient(msg, from))
  }

  /** Listens on 127.0.0.1 (a free port) and relays to the server's UDP port. */
  static async start(server: { host: string; port: number }, o: Impairment): Promise<ImpairmentRelay> {
    const front = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve))
    return new ImpairmentRelay(front, server, o)
  }

  get port(): number {
    return this.front.address().port
  }

  /** Changes the impairment while running (for example to end an outage early). */
  set(o: Partial<Impairment>): void {
    Object.assign(this.o, o)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    for (const s of this.upstreams.values()) s.close()
    await new Promise<void>((resolve) => this.front.close(() => resolve()))
  }

  private fromClient(msg: Buffer, from: dgram.RemoteInfo): void {
    const key = `${from.address}:${from.port}`
    let upstream = this.upstreams.get(key)
    if (!upstream) {
      upstream = dgram.createSocket('udp4')
      upstream.bind(0, '127.0.0.1')
      upstream.on('message', (reply) =>
        this.impair(reply, this.down, this.randomDown, this.o.lossPct ?? 0, (b) => this.front.send(b, from.port, from.address)),
      )
      this.upstreams.set(key, upstream)
    }
    const up = upstream
    this.impair(msg, this.up, this.randomUp, this.o.upstreamLossPct ?? 0, (b) => up.send(b, this.server.port, this.server.host))
  }

  private impair(msg: Buffer, stats: DirectionStats, random: () => number, lossPct: number, send: (b: Buffer) => void): void {
    if (this.closed) return
    stats.received++
    const sinceStart = Date.now() - this.startedMs
    const { outage } = this.o
    if (outage && sinceStart >= outage.startMs && sinceStart < outage.startMs + outage.durationMs) {
      stats.dropped++
      return
    }
    // Draw every random number for every datagram, whatever is enabled, so that turning one
    // impairment on does not change which datagrams another one hits.
    const [rLoss, rJitter, rDup, rReorder] = [random(), random(), random(), random()]
    if (rLoss * 100 < lossPct) {
      stats.dropped++
      return
    }
    const jitter = this.o.jitterMs ?? 0
    let delay = (this.o.delayMs ?? 0) + (rJitter * 2 - 1) * jitter
    if (rReorder * 100 < (this.o.reorderPct ?? 0)) {
      delay += 6 + rJitter * 3
      stats.reordered++
    }
    const copies = rDup * 100 < (this.o.duplicatePct ?? 0) ? 2 : 1
    if (copies === 2) stats.duplicated++
    for (let i = 0; i < copies; i++) {
      stats.forwarded++
      if (delay <= 0) send(msg)
      else {
        const t = setTimeout(
          () => {
            this.timers.delete(t)
            if (!this.closed) send(msg)
          },
          Math.max(0, delay),
        )
        this.timers.add(t)
      }
    }
  }
}
