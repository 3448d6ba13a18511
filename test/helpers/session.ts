// Drives the pure machines in tests and reads their effects back as messages.

import { MSG } from '../../src/codec/header.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  readControl,
  MEDIA_MAX_PAYLOAD,
  type ControlMessage,
} from '../../src/codec/messages.js'
import {
  initialServerState,
  stepServer,
  type ServerConfig,
  type ServerEffect,
  type ServerEvent,
  type ServerState,
} from '../../src/session/server-machine.js'

export const FORMAT = { rateHz: 48000, channels: 2, format: 's16le' as const, framesPerPacket: 128 }
export const SESSION = 0x1234_5678

export function serverConfig(over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    serverName: 'test',
    format: FORMAT,
    sessionId: SESSION,
    clients: 1,
    pingIntervalMs: 1000,
    handshakeTimeoutMs: 5000,
    mode: 'tcp',
    ...over,
  }
}

/** Wraps the server machine: feed events, collect every effect since the last take(). */
export class ServerDriver {
  state: ServerState
  effects: ServerEffect[] = []
  constructor(config: ServerConfig) {
    this.state = initialServerState(config)
    this.send({ type: 'listening' }, 0)
  }
  send(e: ServerEvent, now: number): ServerEffect[] {
    const r = stepServer(this.state, e, now)
    this.state = r.state
    this.effects.push(...r.effects)
    return r.effects
  }
  take(): ServerEffect[] {
    const fx = this.effects
    this.effects = []
    return fx
  }
  /** Connects a rig and completes its handshake. */
  join(peer: number, name: string, now: number): ServerEffect[] {
    this.send({ type: 'connect', link: 'memory', token: 'feedfacefeedface', peer, remote: `r${peer}` }, now)
    return this.send({ type: 'frame', peer, bytes: helloReply(name) }, now)
  }
}

export function helloReply(name: string, version = 1): Uint8Array {
  return encodeControl({ type: MSG.HELLO_REPLY, body: { version, name, meta: {} } }, { sessionId: SESSION })
}

export function frameFrom(type: number, body: unknown): Uint8Array {
  return encodeFrame(type as 1, new TextEncoder().encode(JSON.stringify(body)), { sessionId: SESSION })
}

export function ping(t: number): Uint8Array {
  return encodePingPong(MSG.PING, t, { sessionId: SESSION })
}

/** The control message inside a send or broadcast effect. */
export function sentControl(fx: ServerEffect | { kind: 'send'; frame: Uint8Array }): ControlMessage {
  if (fx.kind !== 'send') throw new Error(`expected a send effect, got ${fx.kind}`)
  return readControl(decodeFrame(fx.frame, MEDIA_MAX_PAYLOAD))
}

/** The body of the TERMINATE inside a send effect; fails if it is another message. */
export function sentTerminate(fx: ServerEffect | { kind: 'send'; frame: Uint8Array }): { reason: string; code: string } {
  const msg = sentControl(fx)
  if (msg.type !== MSG.TERMINATE) throw new Error(`expected TERMINATE, got message type ${msg.type}`)
  return msg.body
}

export function kinds(fx: Array<{ kind: string }>): string[] {
  return fx.map((f) => f.kind)
}
