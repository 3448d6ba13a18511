// `synchro serve`: listen, wait for rigs, stream the source to every rig, terminate.

import { randomInt } from 'node:crypto'
import { hostname } from 'node:os'
import { bytesPerFrame, describeFormat, SAMPLE_FORMATS, type AudioFormat } from '../codec/format.js'
import { listenTcp, type TcpListener } from '../../transports/tcp.js'
import { listenUdp, type UdpListener } from '../../transports/udp-listen.js'
import { AudioPacketizer, DEFAULT_MTU, maxDatagramBytes, maxRedundancy } from '../codec/datagrams.js'
import { systemClock } from '../clock.js'
import { DEFAULT_PING_INTERVAL_MS } from '../session/keepalive.js'
import { maxAudioPayload } from '../session/server-machine.js'
import { ServerRunner } from '../session/server-runner.js'
import type { ServerSummary } from '../session/stats.js'
import { MEDIA_MAX_PAYLOAD } from '../codec/messages.js'
import { UsageError } from '../errors.js'
import { choiceFlag, intFlag, numberFlag, parseCommand } from './args.js'
import { loadProfile } from '../profile/load.js'
import { mergeFlags, serveFlags } from '../profile/to-args.js'
import { Reporter, type Event } from './reporter.js'
import { onStopSignals } from './signals.js'
import { readControl } from './control.js'
import { parseDeviceBuffer } from '../audio/device/buffer-size.js'
import { DEFAULT_DEVICE_BUFFER_FRAMES, openMidiInput, openMidiOutput, openSource } from './specs.js'
import { NoneSource } from '../audio/none-source.js'

export const SERVE_HELP = `usage: synchro serve [options]

Stream audio to every rig that joins.

  --transport tcp|udp   transport the show runs on (default tcp); the server listens on
                        both, on the same port, and moves rigs to this one
  --host ADDR           address to listen on (default 0.0.0.0)
  --port N              port to listen on; 0 picks a free one (default 7400)
  --source SPEC         tone[:HZ] | wav:PATH | raw:PATH | raw:- | device[:NAME] (a sound
                        card; the system default without NAME) | none (MIDI only)
                        (default tone:440)
  --device-buffer N     the sound card's buffer, in frames or with ms (2.5ms) (default 128)
  --bit-exact           never resample or round a captured card's samples: a card that
                        cannot deliver the show's rate and format is refused
  --rate HZ             sample rate for tone and raw sources (default 48000)
  --channels N          channels for tone and raw sources (default 2)
  --format F            s16le | s24le | f32le, for tone and raw sources (default s16le)
  --frames N            frames per packet (default 128: see docs/BENCHMARKS.md)
  --clients N           start (INIT) once N rigs have joined (default 1); 0 waits for an
                        init command (needs --control -)
  --duration S          stream S seconds, then terminate
  --name NAME           the server's name, shown to rigs (default: host name)
  --ping-ms N           keep-alive interval; a silent rig is dropped after 1.5x (default 2000)
  --mtu BYTES           path MTU for UDP audio; larger packets are split (default 1500)
  --redundancy N        UDP: each datagram also carries the previous N packets (default 0)
  --control -           read operator commands from stdin, one per line: status, init,
                        switch udp|tcp, panic, terminate [REASON], help; each answers
                        with an event
  --midi-in SPEC        MIDI into the show, to every rig (repeatable): port:NAME,
                        virtual:NAME, file:PATH.mid, raw:PATH|-; with --source none
                        the show ends when the last file or pipe does
  --midi-out SPEC       where MIDI from rigs goes (repeatable): port:NAME, virtual:NAME,
                        log, file:PATH.mid, raw:PATH|-
  --profile PATH        show profile (JSON or YAML, see profiles/); flags override it
  --json                one JSON event per line on stdout
`

/** 128 frames (2.7 ms at 48 kHz): see bench/packet-size and docs/BENCHMARKS.md. */
export const DEFAULT_FRAMES_PER_PACKET = 128

const OPTIONS = {
  transport: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  source: { type: 'string' },
  rate: { type: 'string' },
  channels: { type: 'string' },
  format: { type: 'string' },
  frames: { type: 'string' },
  clients: { type: 'string' },
  duration: { type: 'string' },
  name: { type: 'string' },
  'ping-ms': { type: 'string' },
  control: { type: 'string' },
  mtu: { type: 'string' },
  redundancy: { type: 'string' },
  'midi-in': { type: 'string', multiple: true },
  'midi-out': { type: 'string', multiple: true },
  'device-buffer': { type: 'string' },
  'bit-exact': { type: 'boolean' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function serve(argv: string[]): Promise<number> {
  if (parseCommand('serve', argv, OPTIONS, false).values.help) {
    process.stdout.write(SERVE_HELP)
    return 0
  }
  const show = await openShow(argv, 'serve')
  const { runner, reporter } = show
  const stopControl = show.control ? readControl(runner, reporter) : () => {}
  const disposeSignals = onStopSignals((sig) => runner.terminate(`stopped by operator (${sig})`, 'operator'))
  const summary = await show.done
  disposeSignals()
  stopControl()
  return summary.code === 'source-error' ? 1 : 0
}

/** What `serve` and the operator console share: a show, listening, with its events. */
export interface Show {
  runner: ServerRunner
  reporter: Reporter
  control: boolean
  name: string
  transport: 'tcp' | 'udp'
  port: number
  format: AudioFormat
  sourceDescription: string
  /** Resolves once the show is over and the listener closed (the summary event is out). */
  done: Promise<ServerSummary>
}

export type Emit = (event: Event, line: string | null) => void

/**
 * Parses serve's flags (and profile), opens the source and MIDI, listens and starts the
 * show. `console` mode: the keyboard owns stdin, and the show starts on a key (clients 0)
 * unless --clients says otherwise. Every event goes to `emit`.
 */
export async function openShow(argv: string[], mode: 'serve' | 'console', emitTo?: Emit): Promise<Show> {
  const profilePath = parseCommand('serve', argv, OPTIONS, false).values.profile
  // Flags given on the command line override the profile's.
  if (profilePath !== undefined) argv = mergeFlags(serveFlags(loadProfile(profilePath), { console: mode === 'console' }), argv)
  const { values: v } = parseCommand('serve', argv, OPTIONS, false)
  const transport = choiceFlag('transport', v.transport, 'tcp', ['tcp', 'udp'] as const)
  const mtu = intFlag('mtu', v.mtu, DEFAULT_MTU, 576, 65535)
  const redundancy = intFlag('redundancy', v.redundancy, 0, 0, 16)
  const host = v.host ?? '0.0.0.0'
  const port = intFlag('port', v.port, 7400, 0, 65535)
  const flags = {
    rateHz: intFlag('rate', v.rate, 48000, 8000, 384000),
    channels: intFlag('channels', v.channels, 2, 1, 64),
    format: choiceFlag('format', v.format, 's16le', SAMPLE_FORMATS),
    explicit: { rateHz: v.rate !== undefined, channels: v.channels !== undefined, format: v.format !== undefined },
  }
  const framesPerPacket = intFlag('frames', v.frames, DEFAULT_FRAMES_PER_PACKET, 16, 16384)
  if (v.control !== undefined && v.control !== '-') throw new UsageError('BAD_FLAG', `--control takes - (stdin), got '${v.control}'`)
  if (mode === 'console' && (v.control !== undefined || v.source === 'raw:-' || v['midi-in']?.includes('raw:-'))) {
    throw new UsageError('BAD_FLAG', 'the console reads the keyboard: --control - and raw:- (stdin) are for synchro serve')
  }
  // The console's operator is the control: in it, --clients 0 (start on a key) is the default.
  const control = v.control === '-' || mode === 'console'
  const midiInSpecs = v['midi-in'] ?? []
  const stdinUsers = [control && '--control -', v.source === 'raw:-' && '--source raw:-', ...midiInSpecs.filter((m) => m === 'raw:-').map(() => '--midi-in raw:-')].filter(Boolean)
  if (stdinUsers.length > 1) throw new UsageError('BAD_FLAG', `${stdinUsers.join(' and ')} all read stdin: give all but one a file or FIFO path`)
  const clients = intFlag('clients', v.clients, mode === 'console' ? 0 : 1, 0, 1000)
  if (clients === 0 && !control) throw new UsageError('BAD_FLAG', '--clients 0 waits for an init command: add --control - to send it')
  const durationS = numberFlag('duration', v.duration, undefined, 0.001, 7 * 24 * 3600)
  const pingIntervalMs = intFlag('ping-ms', v['ping-ms'], DEFAULT_PING_INTERVAL_MS, 100, 60000)
  const reporter = new Reporter(v.json ?? false, process.stdout)
  const emit: Emit = emitTo ?? ((e, line) => reporter.event(e, line))

  const clock = systemClock
  // A capture card lost mid-show: the show goes on in silence and the card is reopened.
  const source = openSource(v.source ?? 'tone:440', flags, clock, parseDeviceBuffer(v['device-buffer'], DEFAULT_DEVICE_BUFFER_FRAMES), v['bit-exact'] ?? false, {
    onFault: (reason) => emit({ event: 'device-fault', reason }, `device fault: ${reason}; the show goes on in silence`),
    onRestored: (description) => emit({ event: 'device-restored', description }, description),
  })
  const midiInputs = midiInSpecs.map((spec) => openMidiInput(spec, clock))
  const midiOutputs = (v['midi-out'] ?? []).map((spec) => openMidiOutput(spec, clock, (e, line) => emit(e, line)))
  if (source instanceof NoneSource && midiInputs.length === 0 && midiOutputs.length === 0) {
    throw new UsageError('BAD_FLAG', '--source none streams no audio: give MIDI to send (--midi-in) or to receive (--midi-out)')
  }
  const format: AudioFormat = { ...source.format, framesPerPacket }
  if (maxAudioPayload(format) > MEDIA_MAX_PAYLOAD) {
    throw new UsageError('BAD_FLAG', `--frames ${framesPerPacket} makes ${maxAudioPayload(format)}-byte packets, over the ${MEDIA_MAX_PAYLOAD}-byte limit`)
  }

  const maxDatagram = maxDatagramBytes(mtu)
  if (redundancy > maxRedundancy(format, maxDatagram)) {
    const fits = maxRedundancy(format, maxDatagram)
    throw new UsageError('BAD_FLAG', `--redundancy ${redundancy} does not fit a ${mtu}-byte MTU with ${framesPerPacket}-frame packets (at most ${fits}): lower --frames or --redundancy, or raise --mtu`)
  }
  const packetizer = new AudioPacketizer(format, maxDatagram, redundancy)
  const sessionId = randomInt(1, 0xffff_ffff)

  // --duration counts streamed time, so it is armed at INIT.
  let durationTimer: NodeJS.Timeout | undefined
  const armDuration = (): void => {
    if (durationS !== undefined && durationTimer === undefined) {
      durationTimer = setTimeout(() => runner.terminate(`duration of ${durationS} s reached`, 'duration'), durationS * 1000)
    }
  }

  const runner = new ServerRunner({
    config: {
      serverName: v.name ?? hostname(),
      format,
      sessionId,
      clients,
      pingIntervalMs,
      handshakeTimeoutMs: 5000,
      mode: transport,
    },
    source,
    clock,
    packetizer,
    midiInputs,
    midiOutputs,
    onMidiInputsEnded: () => {
      // A MIDI-only show ends with its MIDI; with audio, the audio decides.
      if (source instanceof NoneSource) runner.terminate('end of MIDI input', 'end-of-source')
    },
    onMidiInputError: (input, err) => reporter.problem(`${input.description} failed: ${err.message}`),
    onNotice: (n) => {
      switch (n.event) {
        case 'joined':
          return emit(n, `rig ${n.name} joined from ${n.remote}${n.late ? ' (late: playing from the live position)' : ''}`)
        case 'left':
          return emit(n, `rig ${n.name} left: ${n.reason}`)
        case 'rejected':
          return emit(n, `refused ${n.remote}: ${n.reason}`)
        case 'init':
          armDuration()
          return emit(n, `INIT: streaming to ${n.rigs.length} rig${n.rigs.length === 1 ? '' : 's'} (${n.rigs.join(', ')})`)
        case 'terminate':
          return emit(n, `TERMINATE: ${n.reason}`)
        case 'switch':
          return emit(n, `switching the show to ${n.to}: ${n.rigs.length ? n.rigs.join(', ') : 'no rig needs to move'}`)
        case 'switched':
          return emit(n, `rig ${n.name} moved from ${n.from} to ${n.to} (${n.remote})`)
        case 'switch-failed':
          return emit(n, `rig ${n.name} stays where it is: ${n.reason}`)
        case 'muted':
          return emit(n, `rig ${n.name} ${n.muted ? 'muted (it gets silence; MIDI goes on)' : 'unmuted'}`)
      }
    },
  })

  const listener = await listenBoth(host, port, runner, {
    sessionId,
    // A rig more than a second of audio behind loses its oldest audio; 4 s without draining, it is dropped.
    maxQueueBytes: Math.max(64 * 1024, format.rateHz * bytesPerFrame(format)),
  })
  emit(
    { event: 'listening', transport, host, port: listener.port, format, mtu, redundancy },
    `listening on ${transport} ${host}:${listener.port}; source ${source.description}; ${describeFormat(format)}; waiting for ${clients} rig${clients === 1 ? '' : 's'}` +
      [...midiInputs, ...midiOutputs].map((m) => `; ${m.description}`).join(''),
  )
  runner.listening()

  let statsCount = 0
  const statsTimer = setInterval(() => {
    const s = runner.stats()
    statsCount++
    const line = statsCount % 5 === 0 && s.phase === 'streaming'
      ? `${(s.uptimeMs / 1000).toFixed(0)} s: ${s.rigs.length} rig(s), ${s.packetsBroadcast} packets sent` + (midiInputs.length || midiOutputs.length ? `, MIDI ${s.midi.messagesIn} in / ${s.midi.messagesOut} out` : '') + s.rigs.map((r) => `; ${r.name} on ${r.transport}, rtt ${r.rttMs ?? '-'} ms, dropped ${r.framesDropped}${r.heard ? `, lost ${r.heard.packetsLost}, concealed ${r.heard.framesConcealed}` : ''}`).join('')
      : null
    // Datagrams from strangers (not a CONNECT, no session): counted, never let in.
    emit({ event: 'stats', ...s, udpStrangerDatagrams: listener.udp.stats.strangerDatagrams }, line)
  }, 1000)

  const done = runner.done.then(async (summary) => {
    clearInterval(statsTimer)
    clearTimeout(durationTimer)
    await listener.close()
    emit(
      { event: 'summary', ...summary },
      `done: ${summary.reason}; ${summary.packetsBroadcast} packets (${(summary.framesBroadcast / format.rateHz).toFixed(1)} s of audio) to ${summary.rigsJoined} rig(s)`,
    )
    return summary
  })
  return { runner, reporter, control, name: v.name ?? hostname(), transport, port: listener.port, format, sourceDescription: source.description, done }
}

/**
 * TCP and UDP on the same port number, so a rig needs one address for both. With --port 0
 * the TCP port is picked first; if UDP's twin is taken, both are tried again elsewhere.
 */
async function listenBoth(host: string, port: number, runner: ServerRunner, o: { sessionId: number; maxQueueBytes: number }): Promise<{ port: number; udp: UdpListener; close(): Promise<void> }> {
  for (let attempt = 0; ; attempt++) {
    const tcp: TcpListener = await listenTcp(host, port, (t) => runner.attach(t), { maxQueueBytes: o.maxQueueBytes, stallTimeoutMs: 4000 })
    try {
      const udp = await listenUdp(host, tcp.port, (t) => runner.attach(t), { sessionId: o.sessionId })
      return { port: tcp.port, udp, close: async () => void (await Promise.all([tcp.close(), udp.close()])) }
    } catch (err) {
      await tcp.close()
      if (port !== 0 || attempt >= 4) throw err
    }
  }
}
