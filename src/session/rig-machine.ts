// The rig's side of a show as a pure step function, like the server's.
// Phases: connecting -> handshake (waiting for HELLO) -> ready (HELLO_REPLY sent,
// waiting for INIT) -> streaming -> ended.

import { formatOfCodec, type AudioFormat } from '../codec/format.js'
import { MSG, PROTOCOL_VERSION, messageTypeName, type Header } from '../codec/header.js'
import {
  decodeFrame, encodeControl, encodePingPong, isControlType, readControl, readPingPong,
  CONTROL_MAX_PAYLOAD, type Hello, type TransportName,
} from '../codec/messages.js'
import { ProtocolError, type SynchroError } from '../errors.js'
import { decodeMidiAck, decodeMidiPayload, type MidiPayload } from '../codec/midi.js'
import { peerTimeoutMs } from './keepalive.js'

export type RigSessionPhase = 'connecting' | 'handshake' | 'ready' | 'streaming' | 'ended'

export interface RigConfig {
  name: string
  meta: Record<string, unknown>
}

export interface RigState {
  readonly config: RigConfig
  readonly phase: RigSessionPhase
  readonly hello: Hello | undefined
  readonly sessionId: number
  readonly maxPayload: number
  readonly pingIntervalMs: number
  readonly lastHeardMs: number
  readonly lastPingMs: number
  readonly rttMs: number | undefined
  /** Set once the server has been silent long enough to tell the operator. */
  readonly silentSinceMs: number | undefined
  /** Audio has arrived: a show with audio that goes quiet is news; a MIDI-only show is quiet by nature. */
  readonly audioSeen: boolean
}

export type RigEvent =
  | { type: 'connected' }
  /** `ordered: false` on UDP, where AUDIO may overtake the INIT that precedes it. */
  | { type: 'frame'; bytes: Uint8Array; ordered?: boolean }
  | { type: 'badFrame'; error: SynchroError }
  | { type: 'disconnect'; reason: string }
  | { type: 'tick' }
  /** The rig's operator stops it (SIGINT, SIGTERM). */
  | { type: 'stop'; reason: string }

export type RigNotice =
  | { event: 'handshake'; serverName: string; format: AudioFormat; sessionId: number }
  | { event: 'init'; position: number }
  | { event: 'terminate'; reason: string; code: string }
  /** The server has gone quiet (lost packets, a dead link): the session times out unless it comes back. */
  | { event: 'silent'; silentMs: number; timeoutMs: number }
  | { event: 'recovered'; silentMs: number }
  | { event: 'switch'; to: TransportName }

/** How the rig's session ended: `ok` for a graceful TERMINATE (exit 0). */
export interface RigOutcome {
  ok: boolean
  reason: string
  code: string
  /** Play out what is buffered before stopping (true after a server TERMINATE). */
  drain: boolean
  /** The show's final position (TERMINATE's timestamp): play, or conceal, up to it. */
  endPosition?: number
}

export type RigEffect =
  | { kind: 'send'; frame: Uint8Array }
  | { kind: 'setMaxPayload'; bytes: number }
  | { kind: 'audio'; header: Header; pcm: Uint8Array }
  | { kind: 'midi'; midi: MidiPayload; timestamp: number }
  | { kind: 'midiAck'; next: number }
  | { kind: 'notify'; notice: RigNotice }
  /** Open a connection on the other transport and RESUME this session there. */
  | { kind: 'switch'; to: TransportName; token: string }
  | { kind: 'close' }
  | { kind: 'end'; outcome: RigOutcome }

export function initialRigState(config: RigConfig, pingIntervalMs: number): RigState {
  return {
    config, phase: 'connecting', hello: undefined, sessionId: 0, maxPayload: CONTROL_MAX_PAYLOAD,
    pingIntervalMs, lastHeardMs: 0, lastPingMs: 0, rttMs: undefined, silentSinceMs: undefined, audioSeen: false,
  }
}

export function stepRig(state: RigState, event: RigEvent, now: number): { state: RigState; effects: RigEffect[] } {
  const fx: RigEffect[] = []
  return { state: reduce(state, event, now, fx), effects: fx }
}

function reduce(s: RigState, e: RigEvent, now: number, fx: RigEffect[]): RigState {
  if (s.phase === 'ended') return s
  switch (e.type) {
    case 'connected':
      return { ...s, phase: 'handshake', lastHeardMs: now, lastPingMs: now }
    case 'frame':
      return onFrame(s, e.bytes, e.ordered ?? true, now, fx)
    case 'badFrame':
      return fail(s, e.error.closeCode, serverSays(e.error.message), fx, true)
    case 'disconnect':
      return end(s, { ok: false, code: 'disconnected', reason: `lost the server: ${e.reason}`, drain: false }, fx)
    case 'tick':
      return onTick(s, now, fx)
    case 'stop': {
      fx.push({ kind: 'send', frame: encodeControl({ type: MSG.TERMINATE, body: { reason: e.reason, code: 'rig-stopped' } }, { sessionId: s.sessionId }) })
      return end(s, { ok: true, code: 'rig-stopped', reason: e.reason, drain: false }, fx)
    }
  }
}

function onFrame(s: RigState, bytes: Uint8Array, ordered: boolean, now: number, fx: RigEffect[]): RigState {
  let frame
  try {
    frame = decodeFrame(bytes, s.maxPayload)
  } catch (err) {
    return fail(s, (err as SynchroError).closeCode, serverSays((err as SynchroError).message), fx, true)
  }
  if (s.silentSinceMs !== undefined) fx.push({ kind: 'notify', notice: { event: 'recovered', silentMs: Math.round(now - s.lastHeardMs) } })
  const heard = { ...s, lastHeardMs: now, silentSinceMs: undefined }
  const { header } = frame
  if (s.phase !== 'handshake' && header.sessionId !== s.sessionId) {
    return fail(s, 'protocol-error', `server sent session id ${header.sessionId}, expected ${s.sessionId}`, fx, true)
  }
  try {
    switch (header.type) {
      case MSG.AUDIO:
        // On UDP the first AUDIO can overtake an INIT that is being retransmitted: it is dropped, not an error.
        if (s.phase === 'ready' && !ordered) return heard
        if (s.phase !== 'streaming') throw new ProtocolError('UNEXPECTED', `AUDIO before INIT`)
        if (formatOfCodec(header.codec) !== s.hello!.format.format) {
          throw new ProtocolError('BAD_CODEC', `AUDIO with codec ${header.codec}, the show's format is ${s.hello!.format.format}`)
        }
        fx.push({ kind: 'audio', header, pcm: frame.payload })
        return heard.audioSeen ? heard : { ...heard, audioSeen: true }
      case MSG.MIDI:
      case MSG.MIDI_ACK:
        // Like AUDIO, MIDI on UDP can overtake the INIT before it: dropped (the journal repeats it).
        if (s.phase === 'ready' && !ordered) return heard
        if (s.phase !== 'streaming') throw new ProtocolError('UNEXPECTED', `${messageTypeName(header.type)} before INIT`)
        if (header.type === MSG.MIDI) fx.push({ kind: 'midi', midi: decodeMidiPayload(frame.payload), timestamp: header.timestamp })
        else fx.push({ kind: 'midiAck', next: decodeMidiAck(frame.payload) })
        return heard
      case MSG.PING:
        fx.push({ kind: 'send', frame: encodePingPong(MSG.PONG, readPingPong(frame), { sessionId: s.sessionId }) })
        return heard
      case MSG.PONG: {
        const rtt = now - readPingPong(frame)
        return { ...heard, rttMs: rtt >= 0 && rtt < 60_000 ? rtt : s.rttMs }
      }
    }
    if (!isControlType(header.type)) throw new ProtocolError('UNEXPECTED', `${messageTypeName(header.type)} is not something a server sends a rig`)
    const msg = readControl(frame)
    switch (msg.type) {
      case MSG.HELLO: {
        if (s.phase !== 'handshake') throw new ProtocolError('UNEXPECTED', 'HELLO sent twice')
        const hello = msg.body
        if (hello.version !== PROTOCOL_VERSION) {
          return fail(s, 'version-mismatch', `server speaks Synchro protocol v${hello.version}, this rig speaks v${PROTOCOL_VERSION}: run the same Synchro version on both`, fx, true)
        }
        fx.push(
          { kind: 'send', frame: encodeControl({ type: MSG.HELLO_REPLY, body: { version: PROTOCOL_VERSION, name: s.config.name, meta: s.config.meta } }, { sessionId: header.sessionId }) },
          { kind: 'setMaxPayload', bytes: hello.maxPayload },
          { kind: 'notify', notice: { event: 'handshake', serverName: hello.serverName, format: hello.format, sessionId: header.sessionId } },
        )
        return { ...heard, phase: 'ready', hello, sessionId: header.sessionId, maxPayload: hello.maxPayload, pingIntervalMs: hello.pingIntervalMs }
      }
      case MSG.INIT:
        if (s.phase !== 'ready') throw new ProtocolError('UNEXPECTED', `INIT while ${s.phase}`)
        fx.push({ kind: 'notify', notice: { event: 'init', position: msg.body.position } })
        return { ...heard, phase: 'streaming' }
      case MSG.SWITCH:
        if (s.phase !== 'ready' && s.phase !== 'streaming') throw new ProtocolError('UNEXPECTED', `SWITCH while ${s.phase}`)
        fx.push({ kind: 'notify', notice: { event: 'switch', to: msg.body.transport } }, { kind: 'switch', to: msg.body.transport, token: msg.body.token })
        return heard
      case MSG.TERMINATE:
        fx.push({ kind: 'notify', notice: { event: 'terminate', reason: msg.body.reason, code: msg.body.code } })
        // Refusals (version, protocol, timeout) end the rig with an error; a show that ends, gracefully.
        return end(heard, {
          ok: GRACEFUL_CODES.has(msg.body.code), code: msg.body.code, reason: msg.body.reason, drain: true,
          ...(s.phase === 'streaming' ? { endPosition: header.timestamp } : {}),
        }, fx)
      default:
        throw new ProtocolError('UNEXPECTED', `${messageTypeName(msg.type)} is not something a server sends a rig`)
    }
  } catch (err) {
    return fail(s, 'protocol-error', serverSays((err as SynchroError).message), fx, true)
  }
}

/** TERMINATE codes that mean "the show ended as planned". */
const GRACEFUL_CODES = new Set(['operator', 'end-of-source', 'duration', 'terminating'])

function onTick(s: RigState, now: number, fx: RigEffect[]): RigState {
  if (s.phase === 'connecting') return s
  const silentMs = now - s.lastHeardMs
  const timeoutMs = peerTimeoutMs(s.pingIntervalMs)
  if (silentMs > timeoutMs) {
    return end(s, { ok: false, code: 'timeout', reason: `lost the server: nothing heard for ${(silentMs / 1000).toFixed(1)} s`, drain: false }, fx)
  }
  // A streaming server sends hundreds of packets a second: a third of the timeout without one is news.
  if (s.phase === 'streaming' && s.audioSeen && s.silentSinceMs === undefined && silentMs > timeoutMs / 3) {
    fx.push({ kind: 'notify', notice: { event: 'silent', silentMs: Math.round(silentMs), timeoutMs } })
    s = { ...s, silentSinceMs: s.lastHeardMs }
  }
  if (s.phase !== 'handshake' && now - s.lastPingMs >= s.pingIntervalMs) {
    fx.push({ kind: 'send', frame: encodePingPong(MSG.PING, now, { sessionId: s.sessionId }) })
    return { ...s, lastPingMs: now }
  }
  return s
}

/** Ends the session on a fault, telling the server why when it can still be told. */
function fail(s: RigState, code: string, reason: string, fx: RigEffect[], tellServer: boolean): RigState {
  if (tellServer) {
    fx.push({ kind: 'send', frame: encodeControl({ type: MSG.TERMINATE, body: { reason: reason.slice(0, 500), code } }, { sessionId: s.sessionId }) })
  }
  return end(s, { ok: false, code, reason, drain: false }, fx)
}

function end(s: RigState, outcome: RigOutcome, fx: RigEffect[]): RigState {
  fx.push({ kind: 'close' }, { kind: 'end', outcome })
  return { ...s, phase: 'ended' }
}

function serverSays(message: string): string {
  return message.replace(/^peer speaks/, 'server speaks')
}
