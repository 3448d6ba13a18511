// The rig's side of a show as a pure step function, like the server's.
// Phases: connecting -> handshake (waiting for HELLO) -> [opening (a sound card opening:
// HELLO_REPLY waits for it)] -> ready (HELLO_REPLY sent, waiting for INIT) -> streaming -> ended. Which messages each phase accepts is one table
// (ACCEPTS, looked up once per frame by admit()); what the runner does is data: effects
// such as openMedia (at HELLO) and startPlayout (at INIT), while notices are for the operator.

import { formatOfCodec, type AudioFormat } from '../codec/format.js'
import { MSG, PROTOCOL_VERSION, messageTypeName, type Header } from '../codec/header.js'
import {
  decodeFrame,
  encodeControl,
  terminateBody,
  encodePingPong,
  encodeTime,
  isControlType,
  readControl,
  readPingPong,
  readTime,
  readTimeline,
  CONTROL_MAX_PAYLOAD,
  type Frame,
  type Hello,
  type Timeline,
  type TransportName,
} from '../codec/messages.js'
import { ProtocolError, type SynchroError } from '../errors.js'
import { decodeMidiAck, decodeMidiPayload, type MidiPayload } from '../codec/midi.js'
import { peerTimeoutMs } from './keepalive.js'
import type { TimeSample } from '../sync/clock-estimator.js'
import { initialTimeExchange, nextExchangeInMs, replyReceived, requestSent, type TimeExchangeState } from '../sync/time-exchange.js'

export type RigSessionPhase = 'connecting' | 'handshake' | 'opening' | 'ready' | 'streaming' | 'ended'

export interface RigConfig {
  name: string
  meta: Record<string, unknown>
  /**
   * The rig's sink takes a while to play (a sound card opening): HELLO_REPLY, which tells the
   * server the rig has joined (and counts toward `serve --clients`), waits for `mediaReady`,
   * so a show does not start before the card can play its first second (issue 13).
   */
  awaitsMedia?: boolean
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
  /** The time exchanges with the server (the session's, so they go on across a transport switch). */
  readonly time: TimeExchangeState
}

export type RigEvent =
  | { type: 'connected' }
  /** `ordered: false` on UDP, where AUDIO may overtake the INIT that precedes it. */
  | { type: 'frame'; bytes: Uint8Array; ordered?: boolean }
  | { type: 'badFrame'; error: SynchroError }
  | { type: 'disconnect'; reason: string }
  | { type: 'tick' }
  /** The timer a `scheduleTimeExchange` effect set has fired: ask the server for the time. */
  | { type: 'timeExchangeDue' }
  /** The rig's operator stops it (SIGINT, SIGTERM). */
  | { type: 'stop'; reason: string }
  /** The media opened at HELLO can play now (or will not: a fault the rig reports), or the runner stopped waiting. */
  | { type: 'mediaReady' }

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
  /** HELLO gave the show's format: open the sink and build the playout (and what times MIDI). */
  | { kind: 'openMedia'; format: AudioFormat }
  /** INIT: the show starts for this rig at `position` (a 32-bit timestamp). */
  | { kind: 'startPlayout'; position: number; latencyMs: number | undefined; timeline: Timeline | null }
  /** The server's show timeline moved (TIMELINE): where show positions sit on its clock. */
  | { kind: 'timeline'; timeline: Timeline }
  /** For the operator only: nothing is done because of a notice. */
  | { kind: 'notify'; notice: RigNotice }
  /** Open a connection on the other transport and RESUME this session there. */
  | { kind: 'switch'; to: TransportName; token: string }
  | { kind: 'close' }
  | { kind: 'end'; outcome: RigOutcome }
  /** Fire `timeExchangeDue` after `ms` (the runner's clock). */
  | { kind: 'scheduleTimeExchange'; ms: number }
  /** A time exchange completed: feed the clock estimate. */
  | { kind: 'timeSample'; sample: TimeSample }

export function initialRigState(config: RigConfig, pingIntervalMs: number): RigState {
  return {
    config,
    phase: 'connecting',
    hello: undefined,
    sessionId: 0,
    maxPayload: CONTROL_MAX_PAYLOAD,
    pingIntervalMs,
    lastHeardMs: 0,
    lastPingMs: 0,
    rttMs: undefined,
    silentSinceMs: undefined,
    audioSeen: false,
    time: initialTimeExchange,
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
    case 'timeExchangeDue':
      return onTimeExchangeDue(s, now, fx)
    case 'mediaReady':
      if (s.phase !== 'opening') return s
      fx.push({ kind: 'send', frame: helloReply(s, s.sessionId) })
      return { ...s, phase: 'ready' }
    case 'stop': {
      fx.push({
        kind: 'send',
        frame: encodeControl({ type: MSG.TERMINATE, body: terminateBody(e.reason, 'rig-stopped') }, { sessionId: s.sessionId }),
      })
      return end(s, { ok: true, code: 'rig-stopped', reason: e.reason, drain: false }, fx)
    }
  }
}

function onFrame(s: RigState, bytes: Uint8Array, ordered: boolean, now: number, fx: RigEffect[]): RigState {
  let frame: Frame
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
    // A control message's body is read (and its faults named) before its place in the session is judged.
    const msg = isControlType(header.type) ? readControl(frame) : undefined
    const admission = admit(s.phase, header.type, ordered)
    if (admission === 'drop') return heard
    if (admission !== 'accept') return fail(s, 'protocol-error', admission, fx, true)
    switch (header.type) {
      case MSG.AUDIO:
        if (formatOfCodec(header.codec) !== s.hello!.format.format) {
          throw new ProtocolError('BAD_CODEC', `AUDIO with codec ${header.codec}, the show's format is ${s.hello!.format.format}`)
        }
        fx.push({ kind: 'audio', header, pcm: frame.payload })
        return heard.audioSeen ? heard : { ...heard, audioSeen: true }
      case MSG.MIDI:
        fx.push({ kind: 'midi', midi: decodeMidiPayload(frame.payload), timestamp: header.timestamp })
        return heard
      case MSG.MIDI_ACK:
        fx.push({ kind: 'midiAck', next: decodeMidiAck(frame.payload) })
        return heard
      case MSG.PING:
        fx.push({ kind: 'send', frame: encodePingPong(MSG.PONG, readPingPong(frame), { sessionId: s.sessionId }) })
        return heard
      case MSG.PONG: {
        const rtt = now - readPingPong(frame)
        return { ...heard, rttMs: rtt >= 0 && rtt < 60_000 ? rtt : s.rttMs }
      }
      case MSG.TIMELINE:
        fx.push({ kind: 'timeline', timeline: readTimeline(frame) })
        return heard
      case MSG.TIME_REPLY: {
        const { state, sample } = replyReceived(s.time, readTime(frame), now)
        if (sample) fx.push({ kind: 'timeSample', sample })
        return { ...heard, time: state }
      }
    }
    switch (msg?.type) {
      case MSG.HELLO: {
        const hello = msg.body
        if (hello.version !== PROTOCOL_VERSION) {
          return fail(
            s,
            'version-mismatch',
            `server speaks Synchro protocol v${hello.version}, this rig speaks v${PROTOCOL_VERSION}: run the same Synchro version on both`,
            fx,
            true,
          )
        }
        // A card opening first: the reply waits for it (mediaReady).
        if (!s.config.awaitsMedia) fx.push({ kind: 'send', frame: helloReply(s, header.sessionId) })
        fx.push(
          { kind: 'setMaxPayload', bytes: hello.maxPayload },
          { kind: 'openMedia', format: hello.format },
          {
            kind: 'notify',
            notice: { event: 'handshake', serverName: hello.serverName, format: hello.format, sessionId: header.sessionId },
          },
          // The session id is known: the time exchanges' burst begins.
          { kind: 'scheduleTimeExchange', ms: 0 },
        )
        return {
          ...heard,
          phase: s.config.awaitsMedia ? 'opening' : 'ready',
          hello,
          sessionId: header.sessionId,
          maxPayload: hello.maxPayload,
          pingIntervalMs: hello.pingIntervalMs,
        }
      }
      case MSG.INIT:
        fx.push(
          { kind: 'startPlayout', position: msg.body.position, latencyMs: msg.body.latencyMs, timeline: msg.body.timeline },
          { kind: 'notify', notice: { event: 'init', position: msg.body.position } },
        )
        return { ...heard, phase: 'streaming' }
      case MSG.SWITCH:
        fx.push(
          { kind: 'notify', notice: { event: 'switch', to: msg.body.transport } },
          { kind: 'switch', to: msg.body.transport, token: msg.body.token },
        )
        return heard
      case MSG.TERMINATE:
        fx.push({ kind: 'notify', notice: { event: 'terminate', reason: msg.body.reason, code: msg.body.code } })
        // Refusals (version, protocol, timeout) end the rig with an error; a show that ends, gracefully.
        return end(
          heard,
          {
            ok: GRACEFUL_CODES.has(msg.body.code),
            code: msg.body.code,
            reason: msg.body.reason,
            drain: true,
            ...(s.phase === 'streaming' ? { endPosition: header.timestamp } : {}),
          },
          fx,
        )
    }
    // admit() accepts only the types handled above.
    return fail(s, 'protocol-error', notFromServer(header.type), fx, true)
  } catch (err) {
    return fail(s, 'protocol-error', serverSays((err as SynchroError).message), fx, true)
  }
}

/** What a server may send a rig, by phase; anything else ends the session with the reason given. */
type Admission = 'accept' | 'drop' | (string & {})

/** Media: only while streaming; on UDP it can overtake the INIT before it, and is dropped then (MIDI's journal repeats it). */
const MEDIA = new Set<number>([MSG.AUDIO, MSG.MIDI, MSG.MIDI_ACK, MSG.TIMELINE])

/** The (phase, message) table: which types each phase accepts. PING, PONG and TERMINATE are welcome in every phase. */
const ACCEPTS: Record<Exclude<RigSessionPhase, 'ended'>, ReadonlySet<number>> = {
  connecting: new Set([MSG.PING, MSG.PONG, MSG.TERMINATE]),
  handshake: new Set([MSG.HELLO, MSG.PING, MSG.PONG, MSG.TERMINATE]),
  // TIME_REPLY: the rig asks from HELLO on (time-exchange.ts).
  opening: new Set([MSG.PING, MSG.PONG, MSG.TIME_REPLY, MSG.TERMINATE]),
  ready: new Set([MSG.INIT, MSG.SWITCH, MSG.PING, MSG.PONG, MSG.TIME_REPLY, MSG.TERMINATE]),
  streaming: new Set([MSG.AUDIO, MSG.MIDI, MSG.MIDI_ACK, MSG.TIMELINE, MSG.SWITCH, MSG.PING, MSG.PONG, MSG.TIME_REPLY, MSG.TERMINATE]),
}

/** Server -> rig types: a type outside this set is never something a server sends a rig. */
const FROM_SERVER = new Set<number>([
  MSG.HELLO,
  MSG.INIT,
  MSG.AUDIO,
  MSG.MIDI,
  MSG.MIDI_ACK,
  MSG.TERMINATE,
  MSG.PING,
  MSG.PONG,
  MSG.SWITCH,
  MSG.TIME_REPLY,
  MSG.TIMELINE,
])

/** Looks a message up in the table once: 'accept', 'drop', or the reason it is refused. */
function admit(phase: RigSessionPhase, type: number, ordered: boolean): Admission {
  if (phase === 'ended') return 'drop'
  if (ACCEPTS[phase].has(type)) return 'accept'
  if (!FROM_SERVER.has(type)) return notFromServer(type)
  if (MEDIA.has(type)) return (phase === 'ready' || phase === 'opening') && !ordered ? 'drop' : `${messageTypeName(type)} before INIT`
  if (type === MSG.HELLO) return 'HELLO sent twice'
  return `${messageTypeName(type)} while ${phase}`
}

function notFromServer(type: number): string {
  return `${messageTypeName(type)} is not something a server sends a rig`
}

/** TERMINATE codes that mean "the show ended as planned". */
const GRACEFUL_CODES = new Set(['operator', 'end-of-source', 'duration', 'terminating'])

function onTick(s: RigState, now: number, fx: RigEffect[]): RigState {
  if (s.phase === 'connecting') return s
  const silentMs = now - s.lastHeardMs
  const timeoutMs = peerTimeoutMs(s.pingIntervalMs)
  if (silentMs > timeoutMs) {
    return end(
      s,
      { ok: false, code: 'timeout', reason: `lost the server: nothing heard for ${(silentMs / 1000).toFixed(1)} s`, drain: false },
      fx,
    )
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

/** Sends a TIME_REQUEST stamped `now` (t1) and sets the timer for the next; nothing before HELLO or after the end. */
function onTimeExchangeDue(s: RigState, now: number, fx: RigEffect[]): RigState {
  if (s.phase !== 'opening' && s.phase !== 'ready' && s.phase !== 'streaming') return s
  const time = requestSent(s.time, now)
  fx.push(
    { kind: 'send', frame: encodeTime(MSG.TIME_REQUEST, { t1: now, t2: 0, t3: 0 }, { sessionId: s.sessionId }) },
    { kind: 'scheduleTimeExchange', ms: nextExchangeInMs(time.sent) },
  )
  return { ...s, time }
}

function helloReply(s: RigState, sessionId: number): Uint8Array {
  return encodeControl(
    { type: MSG.HELLO_REPLY, body: { version: PROTOCOL_VERSION, name: s.config.name, meta: s.config.meta } },
    { sessionId },
  )
}

/** Ends the session on a fault, telling the server why when it can still be told. */
function fail(s: RigState, code: string, reason: string, fx: RigEffect[], tellServer: boolean): RigState {
  if (tellServer) {
    fx.push({
      kind: 'send',
      frame: encodeControl({ type: MSG.TERMINATE, body: terminateBody(reason, code) }, { sessionId: s.sessionId }),
    })
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
