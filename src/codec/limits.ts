// Every range and default a show's settings have, written once: the command-line options
// (src/cli/*-options.ts), the profile schema (src/profile/schema.ts) and the HELLO a rig
// validates (src/codec/messages.ts) all read them from here. Imports nothing.

export interface Limit {
  readonly min: number
  readonly max: number
  /** Absent where the default is worked out at run time (a rig's name is its host name). */
  readonly default?: number
}

export const LIMITS = {
  /** The protocol's rates (docs/PROTOCOL.md, HELLO): 8 kHz speech to 384 kHz; 48 kHz is the stage's usual rate. */
  rateHz: { min: 8000, max: 384000, default: 48000 },
  /** The protocol's channel counts (docs/PROTOCOL.md, HELLO); stereo by default. */
  channels: { min: 1, max: 64, default: 2 },
  /**
   * Frames per AUDIO packet. 128 (2.7 ms at 48 kHz) is the best trade measured in
   * bench/latency.mjs and bench/delivery.mjs (docs/BENCHMARKS.md, "Packet size"): below it
   * CPU rises steeply for at most 1.3 ms less packetisation; above it each doubling adds a
   * packet's latency. 16-16384 is the protocol's range (docs/PROTOCOL.md, HELLO).
   */
  framesPerPacket: { min: 16, max: 16384, default: 128 },
  /** Path MTU for UDP audio: 576 is the datagram every IPv4 host must accept (RFC 791); 1500 is Ethernet's. */
  mtuBytes: { min: 576, max: 65535, default: 1500 },
  /** Previous packets each UDP datagram repeats: 1 recovers 95% of 5% random loss (bench/redundancy.mjs); 16 is plenty. */
  redundancy: { min: 0, max: 16, default: 0 },
  /**
   * A rig plays audio this long after it arrives: 20 ms absorbs loopback and LAN scheduling
   * jitter on a loaded 2-core box (docs/BENCHMARKS.md).
   */
  latencyMs: { min: 0, max: 10000, default: 20 },
  /**
   * The deepest a UDP jitter buffer may grow, never below the latency in effect. 200 ms is a
   * ceiling, not a target: a rig starts near it and gives it back (~20 ms once calm, docs/DEVICES.md).
   */
  maxLatencyMs: { min: 0, max: 10000, default: 200 },
  /** `join --offset`: a rig played later (speaker distance) or earlier (a card's output delay) than the show time, ms. */
  offsetMs: { min: -1000, max: 1000, default: 0 },
  /** Rigs that start the show (INIT) once joined; 0 waits for an operator's init. */
  clients: { min: 0, max: 1000, default: 1 },
  /** The port a server listens on; 0 picks a free one. */
  port: { min: 0, max: 65535, default: 7400 },
  /** Keep-alive interval, in the manner of MQTT (a silent peer is dropped after 1.5x, src/session/keepalive.ts). */
  pingIntervalMs: { min: 100, max: 60000, default: 2000 },
  /** How long a rig tries to reach its server before giving up. */
  connectTimeoutMs: { min: 100, max: 60000, default: 3000 },
  /**
   * A sound card's buffer (--device-buffer). 128 frames (2.7 ms at 48 kHz): the lowest
   * device-to-device latency measured through the JACK loopback (bench/device-latency.mjs,
   * docs/BENCHMARKS.md); 64 lost impulses there.
   */
  deviceBufferFrames: { min: 16, max: 16384, default: 128 },
  /**
   * `join --realtime-priority`: the SCHED_FIFO priority of a rig's media threads (0: the normal
   * scheduler). Any real-time priority runs ahead of every normal task; 10 is low among real-time
   * ones, so a sound server's own threads, which ask for more, still come first.
   */
  realtimePriority: { min: 0, max: 99, default: 10 },
  /** --duration: a millisecond to a week of streaming. */
  durationS: { min: 0.001, max: 7 * 24 * 3600 },
} as const satisfies Record<string, Limit>

export type LimitName = keyof typeof LIMITS
