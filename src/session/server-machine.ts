// The server's side of a show as a pure step function (XState's transition style):
// step(state, event, now) returns the next state and the effects to perform, and
// performs none itself. It knows nothing of sockets; a runner carries out the effects.
//
// Show phases: listening -> waiting (for --clients rigs) -> streaming -> terminating -> closed.
// Each rig: handshake (HELLO sent) -> ready (HELLO_REPLY valid) -> streaming (INIT sent).

import { sameName } from '../codec/rig-name.js'
import { bytesPerFrame, codecOf, type AudioFormat } from '../codec/format.js'
import { MSG, PROTOCOL_VERSION, messageTypeName, VersionMismatchError } from '../codec/header.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  encodeTime,
  encodeTimeline,
  isControlType,
  readControl,
  readPingPong,
  readTime,
  terminateBody,
  type ControlMessage,
  type Frame,
  type HelloReply,
  type Report,
  type Resume,
  type SyncState,
  type Timeline,
  type TransportName,
} from '../codec/messages.js'
import { seqAdd, tsAdd } from '../codec/seq.js'
import { decodeMidiAck, decodeMidiPayload, MIDI_MAX_PAYLOAD, type MidiPayload } from '../codec/midi.js'
import type { SynchroError } from '../errors.js'
import { peerTimeoutMs } from './keepalive.js'
import type { RigSyncView } from './stats.js'
import { showLatencyOf, syncView } from './sync-view.js'

export type PeerId = number
/** What a peer's connection runs on; 'memory' (tests) can never be switched. */
export type LinkKind = TransportName | 'memory'
export type ShowPhase = 'listening' | 'waiting' | 'streaming' | 'terminating' | 'closed'
export type RigPhase = 'handshake' | 'ready' | 'streaming'

export interface ServerConfig {
  serverName: string
  format: AudioFormat
  sessionId: number
  /** Broadcast INIT once this many rigs have completed the handshake; 0: only on an explicit init. */
  clients: number
  pingIntervalMs: number
  /** A connection that has not answered HELLO within this is dropped. */
  handshakeTimeoutMs: number
  /** The transport the show starts in; rigs joining on the other one are moved to it. */
  mode: TransportName
  /** `serve --latency`: every rig plays show position P at its server time plus this (ms); sent in INIT. */
  showLatencyMs?: number
}

/** A rig that was told to switch and has not answered within this stays where it is. */
export const SWITCH_TIMEOUT_MS = 3000

export interface RigEntry {
  readonly peer: PeerId
  readonly remote: string
  readonly phase: RigPhase
  readonly name: string | undefined
  readonly meta: Record<string, unknown>
  readonly connectedAtMs: number
  readonly lastHeardMs: number
  readonly lastPingMs: number
  readonly rttMs: number | undefined
  readonly controlSeq: number
  readonly late: boolean
  readonly link: LinkKind
  /** Secret for RESUME: only this rig can move its session to another connection. */
  readonly token: string
  /** Set while a SWITCH is outstanding. */
  readonly switching: { to: TransportName; sinceMs: number } | undefined
  /** The rig's latest receiver report. */
  readonly report: Report | undefined
  /** The operator muted this rig: it is sent silence in place of the show's audio (MIDI goes on). */
  readonly muted: boolean
}

export interface ServerState {
  readonly config: ServerConfig
  readonly phase: ShowPhase
  /** The transport the show runs on now (--transport, then the operator's switch). */
  readonly mode: TransportName
  readonly rigs: ReadonlyMap<PeerId, RigEntry>
  /** Peers in the streaming phase, kept as an array so a broadcast allocates nothing per rig. */
  readonly streamingPeers: readonly PeerId[]
  /** Streaming peers the operator muted: they get silence, in step with the show. */
  readonly mutedPeers: readonly PeerId[]
  readonly audioSeq: number
  /** Show position in frames: the timestamp of the next AUDIO message. */
  readonly position: number
  /** Where show positions sit on the server's clock (src/sync/show-timeline.ts); null until the source delivers. */
  readonly timeline: Timeline | null
  readonly terminateReason: string | undefined
}

export type ServerEvent =
  | { type: 'listening' }
  | { type: 'connect'; peer: PeerId; remote: string; link: LinkKind; token: string }
  | { type: 'frame'; peer: PeerId; bytes: Uint8Array }
  | { type: 'badFrame'; peer: PeerId; error: SynchroError }
  | { type: 'disconnect'; peer: PeerId; reason: string }
  | { type: 'tick' }
  | { type: 'audio'; pcm: Uint8Array }
  /** The show timeline moved (or is due again): sent to every rig receiving the show. */
  | { type: 'timeline'; timeline: Timeline }
  | { type: 'init' }
  | { type: 'terminate'; reason: string; code: string }
  /** The operator moves the whole show to another transport. */
  | { type: 'switch'; to: TransportName }
  /** The operator drops a rig from the show. */
  | { type: 'kick'; name: string }
  | { type: 'mute'; name: string; muted: boolean }

/** What the show tells the operator (the --json events, the console's log). */
export type ServerNotice =
  | { event: 'joined'; name: string; remote: string; late: boolean; meta: Record<string, unknown> }
  | { event: 'left'; name: string; remote: string; reason: string }
  | { event: 'rejected'; remote: string; reason: string }
  | { event: 'init'; rigs: string[]; position: number }
  | { event: 'terminate'; reason: string; code: string }
  | { event: 'switch'; to: TransportName; rigs: string[] }
  | { event: 'switched'; name: string; from: LinkKind; to: TransportName; remote: string }
  | { event: 'switch-failed'; name: string; to: TransportName; reason: string }
  | { event: 'muted'; name: string; muted: boolean }
  /** A rig's sync state changed (it went late, came back in time, found or lost the clock): once per change. */
  | ({ event: 'sync'; name: string; from: SyncState } & RigSyncView)

export type ServerEffect =
  | { kind: 'send'; peer: PeerId; frame: Uint8Array }
  /** `silent`: the muted rigs' copy of a packet (zeros), sent beside the real one. */
  | { kind: 'broadcast'; peers: readonly PeerId[]; frame: Uint8Array; silent?: boolean }
  /** The same control frame (encoded once) to each of `peers`, beside the audio stream: TIMELINE. */
  | { kind: 'sendAll'; peers: readonly PeerId[]; frame: Uint8Array }
  | { kind: 'close'; peer: PeerId }
  /** A rig's session moved from one connection to another: retire the old one quietly. */
  | { kind: 'rebind'; from: PeerId; to: PeerId }
  | { kind: 'notify'; notice: ServerNotice }
  | { kind: 'startStream' }
  | { kind: 'stopped' }
  /** A rig now receives the stream (INIT sent): it joins the MIDI journal's peers. */
  | { kind: 'rigStreaming'; peer: PeerId }
  /** A rig's session is over (left, dropped, refused): release what its MIDI left held. */
  | { kind: 'rigGone'; peer: PeerId }
  | { kind: 'midiIn'; peer: PeerId; midi: MidiPayload }
  | { kind: 'midiAck'; peer: PeerId; next: number }

export interface Step {
  state: ServerState
  effects: ServerEffect[]
}

/** Largest payload the server accepts from a rig: control messages and MIDI. */
export const RIG_MAX_PAYLOAD = 64 * 1024

export function initialServerState(config: ServerConfig): ServerState {
  return {
    config,
    phase: 'listening',
    mode: config.mode,
    rigs: new Map(),
    streamingPeers: [],
    mutedPeers: [],
    audioSeq: 0,
    position: 0,
    timeline: null,
    terminateReason: undefined,
  }
}

/** The largest AUDIO payload this format produces. */
export function maxAudioPayload(format: AudioFormat): number {
  return format.framesPerPacket * bytesPerFrame(format)
}

/** The rig's frame limit, announced in HELLO: the larger of an AUDIO packet and a MIDI frame. */
export function maxMediaPayload(format: AudioFormat): number {
  return Math.max(maxAudioPayload(format), MIDI_MAX_PAYLOAD)
}

export function stepServer(state: ServerState, event: ServerEvent, now: number): Step {
  const fx: ServerEffect[] = []
  const next = reduce(state, event, now, fx)
  return { state: next, effects: fx }
}

function reduce(s: ServerState, e: ServerEvent, now: number, fx: ServerEffect[]): ServerState {
  switch (e.type) {
    case 'listening':
      if (s.phase !== 'listening') return s
      return { ...s, phase: 'waiting' }
    case 'connect':
      return onConnect(s, e, now, fx)
    case 'frame':
      return onFrame(s, e.peer, e.bytes, now, fx)
    case 'badFrame':
      return reject(s, e.peer, e.error.closeCode, e.error.message, fx)
    case 'disconnect':
      return removeRig(s, e.peer, e.reason, fx)
    case 'tick':
      return onTick(s, now, fx)
    case 'audio':
      return onAudio(s, e.pcm, fx)
    case 'timeline':
      return onTimeline(s, e.timeline, fx)
    case 'init':
      return s.phase === 'waiting' ? startShow(s, fx) : s
    case 'terminate':
      return terminate(s, e.reason, e.code, fx)
    case 'switch':
      return switchShow(s, e.to, now, fx)
    case 'kick': {
      const rig = rigNamed(s, e.name)
      return rig ? reject(s, rig.peer, 'kicked', 'removed from the show by the operator', fx) : s
    }
    case 'mute': {
      const rig = rigNamed(s, e.name)
      if (!rig || rig.muted === e.muted) return s
      fx.push({ kind: 'notify', notice: { event: 'muted', name: e.name, muted: e.muted } })
      return withRig(s, { ...rig, muted: e.muted }, true)
    }
  }
}

function onConnect(s: ServerState, e: Extract<ServerEvent, { type: 'connect' }>, now: number, fx: ServerEffect[]): ServerState {
  const { peer, remote } = e
  if (s.phase === 'terminating' || s.phase === 'closed') {
    fx.push({ kind: 'send', peer, frame: terminateFrame(s, 0, 'the show is ending', 'terminating') }, { kind: 'close', peer })
    return s
  }
  const { config } = s
  const hello = encodeControl(
    {
      type: MSG.HELLO,
      body: {
        version: PROTOCOL_VERSION,
        serverName: config.serverName,
        format: { ...config.format },
        maxPayload: maxMediaPayload(config.format),
        pingIntervalMs: config.pingIntervalMs,
      },
    },
    { sessionId: config.sessionId, seq: 0 },
  )
  fx.push({ kind: 'send', peer, frame: hello })
  const rig: RigEntry = {
    peer,
    remote,
    phase: 'handshake',
    name: undefined,
    meta: {},
    connectedAtMs: now,
    lastHeardMs: now,
    lastPingMs: now,
    rttMs: undefined,
    controlSeq: 1,
    late: false,
    link: e.link,
    token: e.token,
    switching: undefined,
    report: undefined,
    muted: false,
  }
  return withRig(s, rig)
}

/** The frame types a rig may ever send. */
type RigMessageType =
  | typeof MSG.PING
  | typeof MSG.PONG
  | typeof MSG.TIME_REQUEST
  | typeof MSG.MIDI
  | typeof MSG.MIDI_ACK
  | typeof MSG.HELLO_REPLY
  | typeof MSG.RESUME
  | typeof MSG.REPORT
  | typeof MSG.SWITCH_FAILED
  | typeof MSG.TERMINATE

/** `true`: accepted in that phase; a string: refused, and the rig is told this reason. */
type Admission = true | string

/**
 * What a rig may send in each of its phases, checked once before any handler runs. A type
 * missing from a phase is refused with `notFromARig` (AUDIO, ACK, CONNECT, BUNDLE, HELLO,
 * INIT, SWITCH, RESUMED and unknown types are never a rig's to send). A refusal closes the
 * rig with code 'protocol-error', telling it the reason. The show's own phase does not
 * enter: once it is terminating it has no rigs left to hear from.
 */
const RIG_MAY_SEND: Readonly<Record<RigPhase, Readonly<Partial<Record<RigMessageType, Admission>>>>> = {
  handshake: {
    [MSG.PING]: true,
    [MSG.PONG]: true,
    // On UDP a rig's first TIME_REQUEST can overtake its HELLO_REPLY (which is retransmitted, the request not).
    [MSG.TIME_REQUEST]: true,
    [MSG.HELLO_REPLY]: true,
    [MSG.RESUME]: true,
    [MSG.TERMINATE]: true,
    // A rig sends MIDI (and acknowledges ours) only once it has INIT, and the server marks it streaming as INIT leaves.
    [MSG.MIDI]: 'MIDI before INIT',
    [MSG.MIDI_ACK]: 'MIDI_ACK before INIT',
    [MSG.REPORT]: 'REPORT before HELLO_REPLY',
    [MSG.SWITCH_FAILED]: 'SWITCH_FAILED before HELLO_REPLY',
  },
  ready: {
    [MSG.PING]: true,
    [MSG.PONG]: true,
    [MSG.TIME_REQUEST]: true,
    [MSG.REPORT]: true,
    [MSG.SWITCH_FAILED]: true,
    [MSG.TERMINATE]: true,
    [MSG.MIDI]: 'MIDI before INIT',
    [MSG.MIDI_ACK]: 'MIDI_ACK before INIT',
    [MSG.HELLO_REPLY]: 'HELLO_REPLY sent twice',
    [MSG.RESUME]: 'RESUME is only allowed as the first message on a new connection',
  },
  streaming: {
    [MSG.PING]: true,
    [MSG.PONG]: true,
    [MSG.TIME_REQUEST]: true,
    [MSG.MIDI]: true,
    [MSG.MIDI_ACK]: true,
    [MSG.REPORT]: true,
    [MSG.SWITCH_FAILED]: true,
    [MSG.TERMINATE]: true,
    [MSG.HELLO_REPLY]: 'HELLO_REPLY sent twice',
    [MSG.RESUME]: 'RESUME is only allowed as the first message on a new connection',
  },
}

function notFromARig(type: number): string {
  return `${messageTypeName(type)} is not something a rig may send`
}

/** Why a rig in `phase` may not send a frame of `type`, or undefined if it may. */
export function refusalOf(phase: RigPhase, type: number): string | undefined {
  const admission = (RIG_MAY_SEND[phase] as Readonly<Partial<Record<number, Admission>>>)[type]
  if (admission === true) return undefined
  return admission ?? notFromARig(type)
}

/** A frame from a rig, read: a control message with its validated body, or the type of a media frame. */
type FromRig =
  | Extract<
      ControlMessage,
      { type: typeof MSG.HELLO_REPLY | typeof MSG.RESUME | typeof MSG.REPORT | typeof MSG.SWITCH_FAILED | typeof MSG.TERMINATE }
    >
  | { type: typeof MSG.PING | typeof MSG.PONG | typeof MSG.TIME_REQUEST | typeof MSG.MIDI | typeof MSG.MIDI_ACK }

function onFrame(s: ServerState, peer: PeerId, bytes: Uint8Array, now: number, fx: ServerEffect[]): ServerState {
  const rig = s.rigs.get(peer)
  if (!rig) return s
  let frame: Frame
  try {
    frame = decodeFrame(bytes, RIG_MAX_PAYLOAD)
  } catch (err) {
    return reject(s, peer, 'protocol-error', (err as SynchroError).message, fx)
  }
  const heard = { ...rig, lastHeardMs: now }
  const type = frame.header.type
  if (rig.phase !== 'handshake' && frame.header.sessionId !== s.config.sessionId) {
    return reject(s, peer, 'protocol-error', `wrong session id ${frame.header.sessionId} (this show is ${s.config.sessionId})`, fx)
  }
  try {
    // A control body is read against its schema before the table is asked (a malformed one is
    // refused for what is wrong with it); MIDI payloads are decoded by their handlers, after.
    const read = isControlType(type) ? readControl(frame) : undefined
    const refused = refusalOf(rig.phase, type)
    if (refused !== undefined) return reject(s, peer, 'protocol-error', refused, fx)
    // The table admits only a rig's own message types.
    const msg = (read ?? { type }) as FromRig
    switch (msg.type) {
      case MSG.PING:
        fx.push({ kind: 'send', peer, frame: encodePingPong(MSG.PONG, readPingPong(frame), { sessionId: s.config.sessionId }) })
        return withRig(s, heard)
      case MSG.PONG: {
        const rtt = now - readPingPong(frame)
        return withRig(s, { ...heard, rttMs: rtt >= 0 && rtt < 60_000 ? rtt : heard.rttMs })
      }
      case MSG.TIME_REQUEST: {
        // t2 and t3 are both this step's `now`: the reply is sent as the request is handled, and
        // any wait before that (a busy event loop) lengthens the round trip, which the rig's filter rejects.
        const t = { t1: readTime(frame).t1, t2: now, t3: now }
        fx.push({ kind: 'send', peer, frame: encodeTime(MSG.TIME_REPLY, t, { sessionId: s.config.sessionId }) })
        return withRig(s, heard)
      }
      case MSG.MIDI:
        fx.push({ kind: 'midiIn', peer, midi: decodeMidiPayload(frame.payload) })
        return withRig(s, heard)
      case MSG.MIDI_ACK:
        fx.push({ kind: 'midiAck', peer, next: decodeMidiAck(frame.payload) })
        return withRig(s, heard)
      case MSG.HELLO_REPLY:
        return onHelloReply(s, heard, msg.body, now, fx)
      case MSG.RESUME:
        return onResume(s, heard, msg.body, fx)
      case MSG.REPORT: {
        const changed = syncChange(s, rig, msg.body)
        if (changed) fx.push({ kind: 'notify', notice: changed })
        return withRig(s, { ...heard, report: msg.body })
      }
      case MSG.SWITCH_FAILED:
        fx.push({
          kind: 'notify',
          notice: { event: 'switch-failed', name: rig.name ?? rig.remote, to: msg.body.transport, reason: msg.body.reason },
        })
        return withRig(s, { ...heard, switching: undefined })
      case MSG.TERMINATE: {
        const reason = `rig left: ${msg.body.reason || msg.body.code}`
        fx.push({ kind: 'close', peer })
        return removeRig(s, peer, reason, fx)
      }
    }
  } catch (err) {
    const code = (err as SynchroError).closeCode
    return reject(s, peer, code, (err as SynchroError).message, fx)
  }
}

/**
 * The notice for a REPORT whose sync state differs from the rig's last one, or undefined:
 * REPORTs come twice a second, the operator hears of a change once. A rig's first report
 * counts from 'no-clock', so a rig that starts out of time is told at once and one that
 * starts without a clock is not; a report without `sync` (an older rig) changes nothing.
 */
function syncChange(s: ServerState, rig: RigEntry, report: Report): ServerNotice | undefined {
  const view = syncView(report.sync, showLatencyOf(s.config.showLatencyMs))
  if (!view) return undefined
  const from = rig.report?.sync?.state ?? 'no-clock'
  if (view.state === from) return undefined
  return { event: 'sync', name: rig.name ?? rig.remote, from, ...view }
}

function onHelloReply(s: ServerState, rig: RigEntry, reply: HelloReply, now: number, fx: ServerEffect[]): ServerState {
  if (reply.version !== PROTOCOL_VERSION) throw new VersionMismatchError(reply.version)
  let state = s
  // A rig that rebooted mid-show reconnects under the same name while its old connection
  // may still look open: the new connection wins.
  for (const other of s.rigs.values()) {
    if (other.peer !== rig.peer && sameName(other.name, reply.name)) {
      fx.push({
        kind: 'send',
        peer: other.peer,
        frame: terminateFrame(s, other.controlSeq, 'replaced by a new connection from the same rig', 'replaced'),
      })
      fx.push({ kind: 'close', peer: other.peer })
      state = removeRig(state, other.peer, 'replaced by a new connection from the same rig', fx)
    }
  }
  const late = state.phase === 'streaming'
  const ready: RigEntry = { ...rig, phase: 'ready', name: reply.name, meta: reply.meta, late }
  fx.push({ kind: 'notify', notice: { event: 'joined', name: reply.name, remote: rig.remote, late, meta: reply.meta } })
  state = withRig(state, ready)
  // A rig that joined on the other transport is moved to the show's.
  if (needsSwitch(ready, state.mode)) state = sendSwitch(state, ready, now, fx)
  if (late) return sendInit(state, state.rigs.get(rig.peer)!, fx)
  if (state.phase === 'waiting' && state.config.clients > 0 && countReady(state) >= state.config.clients) {
    return startShow(state, fx)
  }
  return state
}

/**
 * A known rig continues its session on this new connection: same name, counters, phase
 * and place in the stream. The old connection is retired without a 'left'.
 */
function onResume(s: ServerState, conn: RigEntry, resume: Resume, fx: ServerEffect[]): ServerState {
  let owner: RigEntry | undefined
  for (const r of s.rigs.values()) if (r.peer !== conn.peer && r.phase !== 'handshake' && r.token === resume.token) owner = r
  if (!owner || owner.name !== resume.name) {
    return reject(s, conn.peer, 'protocol-error', 'RESUME names no session of this show (it may have timed out): join again', fx)
  }
  const moved: RigEntry = {
    ...owner,
    peer: conn.peer,
    remote: conn.remote,
    link: conn.link,
    lastHeardMs: conn.lastHeardMs,
    switching: undefined,
    controlSeq: 1,
  }
  const rigs = new Map(s.rigs)
  rigs.delete(owner.peer)
  rigs.set(conn.peer, moved)
  const state: ServerState = { ...s, rigs, ...peerLists(rigs) }
  const to = conn.link === 'memory' ? (owner.switching?.to ?? s.mode) : conn.link
  fx.push(
    {
      kind: 'send',
      peer: conn.peer,
      frame: encodeControl({ type: MSG.RESUMED, body: { transport: to } }, { sessionId: s.config.sessionId }),
    },
    { kind: 'rebind', from: owner.peer, to: conn.peer },
    { kind: 'notify', notice: { event: 'switched', name: owner.name ?? owner.remote, from: owner.link, to, remote: conn.remote } },
  )
  return state
}

function needsSwitch(rig: RigEntry, mode: TransportName): boolean {
  return rig.link !== 'memory' && rig.link !== mode && rig.phase !== 'handshake'
}

function sendSwitch(s: ServerState, rig: RigEntry, now: number, fx: ServerEffect[]): ServerState {
  const frame = encodeControl(
    { type: MSG.SWITCH, body: { transport: s.mode, token: rig.token } },
    { sessionId: s.config.sessionId, seq: rig.controlSeq },
  )
  fx.push({ kind: 'send', peer: rig.peer, frame })
  return withRig(s, { ...rig, switching: { to: s.mode, sinceMs: now }, controlSeq: seqAdd(rig.controlSeq, 1) })
}

function switchShow(s: ServerState, to: TransportName, now: number, fx: ServerEffect[]): ServerState {
  if (s.phase === 'terminating' || s.phase === 'closed') return s
  let state: ServerState = { ...s, mode: to }
  const moving: string[] = []
  for (const rig of s.rigs.values()) {
    if (needsSwitch(rig, to) && rig.switching?.to !== to) {
      state = sendSwitch(state, rig, now, fx)
      moving.push(rig.name ?? rig.remote)
    }
  }
  fx.push({ kind: 'notify', notice: { event: 'switch', to, rigs: moving } })
  return state
}

function startShow(s: ServerState, fx: ServerEffect[]): ServerState {
  let state: ServerState = { ...s, phase: 'streaming' }
  const names: string[] = []
  for (const rig of s.rigs.values()) {
    if (rig.phase === 'ready') {
      state = sendInit(state, rig, fx)
      names.push(rig.name ?? rig.remote)
    }
  }
  fx.push({ kind: 'notify', notice: { event: 'init', rigs: names, position: s.position } }, { kind: 'startStream' })
  return state
}

function sendInit(s: ServerState, rig: RigEntry, fx: ServerEffect[]): ServerState {
  const frame = encodeControl(
    {
      type: MSG.INIT,
      body: {
        position: s.position,
        timeline: s.timeline,
        ...(s.config.showLatencyMs !== undefined ? { latencyMs: s.config.showLatencyMs } : {}),
      },
    },
    { sessionId: s.config.sessionId, seq: rig.controlSeq, timestamp: s.position },
  )
  fx.push({ kind: 'send', peer: rig.peer, frame }, { kind: 'rigStreaming', peer: rig.peer })
  return withRig(s, { ...rig, phase: 'streaming', controlSeq: seqAdd(rig.controlSeq, 1) })
}

/** TIMELINE, encoded once for every rig receiving the show (muted ones too: they keep the show's time). */
function onTimeline(s: ServerState, timeline: Timeline, fx: ServerEffect[]): ServerState {
  if (s.phase !== 'streaming' && s.phase !== 'waiting') return s
  const peers = s.mutedPeers.length === 0 ? s.streamingPeers : [...s.streamingPeers, ...s.mutedPeers]
  if (peers.length > 0) fx.push({ kind: 'sendAll', peers, frame: encodeTimeline(timeline, { sessionId: s.config.sessionId }) })
  return { ...s, timeline }
}

function onAudio(s: ServerState, pcm: Uint8Array, fx: ServerEffect[]): ServerState {
  if (s.phase !== 'streaming') return s
  const { format, sessionId } = s.config
  const frames = pcm.byteLength / bytesPerFrame(format)
  if (s.streamingPeers.length > 0) {
    const frame = encodeFrame(MSG.AUDIO, pcm, { codec: codecOf(format.format), seq: s.audioSeq, sessionId, timestamp: s.position })
    fx.push({ kind: 'broadcast', peers: s.streamingPeers, frame })
  }
  if (s.mutedPeers.length > 0) {
    // Same seq and position, zero samples: a muted rig keeps its clock, its counters and its place.
    const frame = encodeFrame(MSG.AUDIO, new Uint8Array(pcm.byteLength), {
      codec: codecOf(format.format),
      seq: s.audioSeq,
      sessionId,
      timestamp: s.position,
    })
    fx.push({ kind: 'broadcast', peers: s.mutedPeers, frame, silent: true })
  }
  // Sequence and position advance even with no rig listening: a rig joining later
  // plays from the live position, not from where the last rig left.
  return { ...s, audioSeq: seqAdd(s.audioSeq, 1), position: tsAdd(s.position, frames) }
}

function onTick(s: ServerState, now: number, fx: ServerEffect[]): ServerState {
  if (s.phase === 'terminating' || s.phase === 'closed') return s
  const { pingIntervalMs, handshakeTimeoutMs } = s.config
  const timeout = peerTimeoutMs(pingIntervalMs)
  let state = s
  for (const rig of s.rigs.values()) {
    if (rig.phase === 'handshake' && now - rig.connectedAtMs > handshakeTimeoutMs) {
      state = reject(state, rig.peer, 'timeout', `no HELLO_REPLY within ${(handshakeTimeoutMs / 1000).toFixed(1)} s`, fx)
      continue
    }
    if (now - rig.lastHeardMs > timeout) {
      const reason = `timed out: nothing heard for ${((now - rig.lastHeardMs) / 1000).toFixed(1)} s`
      fx.push(
        { kind: 'send', peer: rig.peer, frame: terminateFrame(state, rig.controlSeq, reason, 'timeout') },
        { kind: 'close', peer: rig.peer },
      )
      state = removeRig(state, rig.peer, reason, fx)
      continue
    }
    if (rig.switching && now - rig.switching.sinceMs > SWITCH_TIMEOUT_MS) {
      const reason = `no answer on ${rig.switching.to} within ${SWITCH_TIMEOUT_MS / 1000} s: staying on ${rig.link}`
      fx.push({ kind: 'notify', notice: { event: 'switch-failed', name: rig.name ?? rig.remote, to: rig.switching.to, reason } })
      state = withRig(state, { ...rig, switching: undefined })
      continue
    }
    if (now - rig.lastPingMs >= pingIntervalMs) {
      fx.push({ kind: 'send', peer: rig.peer, frame: encodePingPong(MSG.PING, now, { sessionId: s.config.sessionId }) })
      state = withRig(state, { ...rig, lastPingMs: now })
    }
  }
  return state
}

function terminate(s: ServerState, reason: string, code: string, fx: ServerEffect[]): ServerState {
  if (s.phase === 'terminating' || s.phase === 'closed') return s
  for (const rig of s.rigs.values()) {
    fx.push({ kind: 'send', peer: rig.peer, frame: terminateFrame(s, rig.controlSeq, reason, code) }, { kind: 'close', peer: rig.peer })
  }
  fx.push({ kind: 'notify', notice: { event: 'terminate', reason, code } }, { kind: 'stopped' })
  return { ...s, phase: 'closed', rigs: new Map(), streamingPeers: [], mutedPeers: [], terminateReason: reason }
}

/** Tells a peer why it is being dropped, then drops it. */
function reject(s: ServerState, peer: PeerId, code: string, reason: string, fx: ServerEffect[]): ServerState {
  const rig = s.rigs.get(peer)
  if (!rig) return s
  fx.push({ kind: 'send', peer, frame: terminateFrame(s, rig.controlSeq, reason, code) }, { kind: 'close', peer })
  if (rig.phase === 'handshake') {
    fx.push({ kind: 'notify', notice: { event: 'rejected', remote: rig.remote, reason } })
    return withoutRig(s, peer)
  }
  return removeRig(s, peer, reason, fx)
}

function removeRig(s: ServerState, peer: PeerId, reason: string, fx: ServerEffect[]): ServerState {
  const rig = s.rigs.get(peer)
  if (!rig) return s
  if (rig.phase !== 'handshake') {
    fx.push({ kind: 'notify', notice: { event: 'left', name: rig.name ?? rig.remote, remote: rig.remote, reason } })
  }
  if (rig.phase === 'streaming') fx.push({ kind: 'rigGone', peer })
  return withoutRig(s, peer)
}

/** TERMINATE carries the show's final position, so a rig that lost the last packets still plays (conceals) to the end. */
function terminateFrame(s: ServerState, seq: number, reason: string, code: string): Uint8Array {
  return encodeControl(
    { type: MSG.TERMINATE, body: terminateBody(reason, code) },
    { sessionId: s.config.sessionId, seq, timestamp: s.position },
  )
}

function withRig(s: ServerState, rig: RigEntry, recount = false): ServerState {
  const rigs = new Map(s.rigs)
  rigs.set(rig.peer, rig)
  const prev = s.rigs.get(rig.peer)
  const streamingChanged = recount || (prev?.phase === 'streaming') !== (rig.phase === 'streaming')
  return streamingChanged ? { ...s, rigs, ...peerLists(rigs) } : { ...s, rigs }
}

function withoutRig(s: ServerState, peer: PeerId): ServerState {
  if (!s.rigs.has(peer)) return s
  const rigs = new Map(s.rigs)
  rigs.delete(peer)
  return { ...s, rigs, ...peerLists(rigs) }
}

function peerLists(rigs: ReadonlyMap<PeerId, RigEntry>): Pick<ServerState, 'streamingPeers' | 'mutedPeers'> {
  const streamingPeers: PeerId[] = []
  const mutedPeers: PeerId[] = []
  for (const r of rigs.values()) if (r.phase === 'streaming') (r.muted ? mutedPeers : streamingPeers).push(r.peer)
  return { streamingPeers, mutedPeers }
}

/** The rig (past its handshake) the operator means by `name` (kick, mute): names match whatever their case. */
export function rigNamed(s: ServerState, name: string): RigEntry | undefined {
  for (const r of s.rigs.values()) if (sameName(r.name, name) && r.phase !== 'handshake') return r
  return undefined
}

function countReady(s: ServerState): number {
  let n = 0
  for (const r of s.rigs.values()) if (r.phase === 'ready' || r.phase === 'streaming') n++
  return n
}
