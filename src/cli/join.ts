// `synchro join HOST:PORT`: connect, handshake, play what the server streams, exit
// when it terminates (0) or when something goes wrong (1, one line on stderr).

import { hostname, platform } from 'node:os'
import { connectTcp } from '../../transports/tcp.js'
import { connectUdp } from '../../transports/udp-connect.js'
import type { Transport } from '../../transports/transport.js'
import type { TransportName } from '../codec/messages.js'
import { systemClock } from '../clock.js'
import { RigRunner, type RigRunnerNotice } from '../session/rig-runner.js'
import type { RigOutcome } from '../session/rig-machine.js'
import { SessionSink } from '../audio/session-sink.js'
import { describeFormat } from '../codec/format.js'
import { UsageError } from '../errors.js'
import { choiceFlag, intFlag, parseCommand, parseHostPort } from './args.js'
import { loadProfile } from '../profile/load.js'
import { joinFlags, mergeFlags, rigOf } from '../profile/to-args.js'
import { Reporter } from './reporter.js'
import { onStopSignals } from './signals.js'
import { parseDeviceBuffer } from '../audio/device/buffer-size.js'
import { DEFAULT_DEVICE_BUFFER_FRAMES, openMidiInput, openMidiOutput, openSink } from './specs.js'
import { CompiledRoute, MidiRouteSchema, parseChannelList, parseMapping, type MidiRoute } from '../midi/route.js'
import { MIDI_KINDS, type MidiKind } from '../midi/message.js'
import { startMidiInputs } from '../midi/outbound.js'
import { VERSION } from './version.js'

export const JOIN_HELP = `usage: synchro join HOST:PORT [options]

Join a show as a rig and play what the server streams.

  --name NAME           this rig's name, shown to the operator (default: host name)
  --transport tcp|udp   transport to join on (default tcp); the server may move the rig
  --sink SPEC           null | wav:PATH | raw:PATH | raw:- | device[:NAME] (a sound card;
                        the system default without NAME) (default null)
  --device-buffer N     the sound card's buffer, in frames or with ms (2.5ms) (default 128)
  --bit-exact           never resample or round the show's samples for the card: a card
                        that cannot take the show's rate and format is refused
  --latency MS          play audio this long after it arrives (default 20); on UDP the
                        jitter buffer's floor
  --max-latency MS      on UDP, the deepest the jitter buffer may grow (default 200)
  --connect-timeout MS  give up reaching the server after this long (default 3000)
  --retry               when the server is lost (or not up yet), keep trying every second
                        and rejoin; the recording goes on in the same sink
  --midi-out SPEC       where the show's MIDI goes (repeatable): port:NAME, virtual:NAME,
                        log, file:PATH.mid, raw:PATH|-
  --midi-in SPEC        MIDI from this rig to the server (repeatable): port:NAME,
                        virtual:NAME, file:PATH.mid, raw:PATH|-
  --midi-channels LIST  pass only these channels, e.g. 1-4,10 (default all)
  --midi-types LIST     pass only these kinds, e.g. note-on,note-off,cc (default all
                        but active-sensing)
  --midi-map-channel A:B  play channel A on channel B (repeatable)
  --midi-map-cc A:B     turn controller A into controller B (repeatable)
  --midi-no-clock       drop MIDI clock and transport (start, stop, continue, position)
  --midi-jitter MS      deliver MIDI at its show time plus MS, so network jitter leaves
                        the performance (default: at once, lowest latency)
  --profile PATH        the show's profile: this rig's entry (by --name, or the only
                        one) sets its sink, latency and MIDI; flags override it
  --json                one JSON event per line (on stderr when --sink raw:-)
`

/** 20 ms absorbs loopback and LAN scheduling jitter on a loaded 2-core box (docs/BENCHMARKS.md). */
export const DEFAULT_LATENCY_MS = 20

const OPTIONS = {
  name: { type: 'string' },
  transport: { type: 'string' },
  sink: { type: 'string' },
  latency: { type: 'string' },
  'max-latency': { type: 'string' },
  'connect-timeout': { type: 'string' },
  retry: { type: 'boolean' },
  'midi-out': { type: 'string', multiple: true },
  'midi-in': { type: 'string', multiple: true },
  'device-buffer': { type: 'string' },
  'bit-exact': { type: 'boolean' },
  'midi-channels': { type: 'string' },
  'midi-types': { type: 'string' },
  'midi-map-channel': { type: 'string', multiple: true },
  'midi-map-cc': { type: 'string', multiple: true },
  'midi-no-clock': { type: 'boolean' },
  'midi-jitter': { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function join(argv: string[]): Promise<number> {
  const first = parseCommand('join', argv, OPTIONS, true)
  if (first.values.profile !== undefined) {
    // The show's profile: this rig's entry (by --name, or the only one) gives its flags; flags given here win.
    const profile = loadProfile(first.values.profile)
    argv = mergeFlags(joinFlags(profile, rigOf(profile, first.values.name)), argv)
    if (first.positionals.length === 0 && profile.address !== undefined) argv.push(profile.address)
  }
  const { values: v, positionals } = parseCommand('join', argv, OPTIONS, true)
  if (v.help) {
    process.stdout.write(JOIN_HELP)
    return 0
  }
  if (positionals.length > 1) throw new UsageError('BAD_FLAG', `join takes one HOST:PORT, got also '${positionals[1]}'`)
  const { host, port } = parseHostPort(positionals[0])
  const transportKind = choiceFlag('transport', v.transport, 'tcp', ['tcp', 'udp'] as const)
  const latencyMs = intFlag('latency', v.latency, DEFAULT_LATENCY_MS, 0, 10000)
  const maxLatencyMs = intFlag('max-latency', v['max-latency'], Math.max(200, latencyMs), latencyMs, 10000)
  const connectTimeoutMs = intFlag('connect-timeout', v['connect-timeout'], 3000, 100, 60000)
  const sinkSpec = v.sink ?? 'null'
  const audioOnStdout = sinkSpec === 'raw:-'
  const reporter = new Reporter(v.json ?? false, audioOnStdout ? process.stderr : process.stdout)
  const name = v.name ?? hostname()
  const retry = v.retry ?? false
  const midiRoute = new CompiledRoute(routeFromFlags(v))
  const midiJitterMs = v['midi-jitter'] === undefined ? undefined : intFlag('midi-jitter', v['midi-jitter'], 0, 0, 1000)
  const midiOutputs = (v['midi-out'] ?? []).map((spec) => openMidiOutput(spec, systemClock, (e, line) => reporter.event(e, line)))
  const midiInputs = (v['midi-in'] ?? []).map((spec) => openMidiInput(spec, systemClock))
  const deviceBuffer = parseDeviceBuffer(v['device-buffer'], DEFAULT_DEVICE_BUFFER_FRAMES)
  // A sound card that fails mid-show: the rig keeps its session and reports the fault.
  const sink = new SessionSink(openSink(sinkSpec, deviceBuffer, v['bit-exact'] ?? false, {
    onFault: (reason) => reporter.event({ event: 'device-fault', reason }, `device fault: ${reason}; the session goes on`),
    onRestored: (description) => reporter.event({ event: 'device-restored', description }, description),
    onStarted: (description) => reporter.event({ event: 'device-started', description }, description),
  }))
  startMidiInputs(midiInputs, (data) => rig?.pushMidi(data), { error: (input, err) => reporter.problem(`${input.description} failed: ${err.message}`) })

  // Ctrl-C while still connecting (or between retries): leave no half-made sink file behind, exit cleanly.
  let rig: RigRunner | undefined
  let stopping = false
  let wake: (() => void) | undefined
  const disposeSignals = onStopSignals((sig) => {
    stopping = true
    if (rig && rig.phase !== 'ended') rig.stop(`rig stopped by operator (${sig})`)
    else if (wake) wake()
    else void sink.finish().then(() => process.exit(0))
  })
  const pause = (ms: number): Promise<void> => new Promise((r) => {
    const t = setTimeout(() => { wake = undefined; r() }, ms)
    wake = () => { clearTimeout(t); wake = undefined; r() }
  })
  const connect = (kind: TransportName, timeoutMs: number): Promise<Transport> =>
    kind === 'udp' ? connectUdp(host, port, timeoutMs) : connectTcp(host, port, timeoutMs)

  const onNotice = (n: RigRunnerNotice): void => {
    switch (n.event) {
      case 'handshake':
        return reporter.event(
          { event: 'handshake', server: n.serverName, rate: n.format.rateHz, channels: n.format.channels, format: n.format.format, frames: n.format.framesPerPacket, sessionId: n.sessionId },
          `joined ${n.serverName} at ${host}:${port} as ${name}: ${describeFormat(n.format)}; sink ${sink.description}`,
        )
      case 'init':
        return reporter.event(n, `INIT: playing from position ${n.position}, ${latencyMs} ms behind`)
      case 'terminate':
        return reporter.event(n, `TERMINATE: ${n.reason}`)
      case 'silent':
        return reporter.event(n, `the server has been silent for ${(n.silentMs / 1000).toFixed(1)} s (giving up after ${(n.timeoutMs / 1000).toFixed(1)} s)`)
      case 'recovered':
        return reporter.event(n, `the server is back after ${(n.silentMs / 1000).toFixed(1)} s`)
      case 'switch':
        return reporter.event(n, `the server asks this rig to move to ${n.to}`)
      case 'switched':
        return reporter.event(n, `moved from ${n.from} to ${n.to}`)
      case 'switch-failed':
        return reporter.event(n, `staying on ${rig?.stats().transport ?? 'the old transport'}: ${n.reason}`)
    }
  }

  let statsCount = 0
  const statsTimer = setInterval(() => {
    if (rig?.phase !== 'streaming') return
    const s = rig.stats()
    statsCount++
    reporter.event(
      { event: 'stats', ...s },
      statsCount % 5 === 0 ? `${s.transport}: played ${(s.framesPlayed / 1000).toFixed(0)}k frames, buffer ${s.bufferMs} ms, jitter ${s.jitterMs} ms, underruns ${s.underruns}, lost ${s.packetsLost}, concealed ${s.framesConcealed} frames, rtt ${s.rttMs ?? '-'} ms` : null,
    )
  }, 1000)

  // One session, or with --retry as many as it takes: a rig that lost its server keeps
  // trying and rejoins (the server hands it the live position) when the server is back.
  let outcome: RigOutcome | undefined
  let sessions = 0
  try {
    while (!stopping) {
      let transport: Transport
      try {
        transport = await connect(transportKind, connectTimeoutMs)
      } catch (err) {
        if (!retry || stopping) throw err
        reporter.event({ event: 'retrying', reason: (err as Error).message }, `retrying in 1 s: ${(err as Error).message}`)
        await pause(1000)
        continue
      }
      sessions++
      rig = new RigRunner({
        config: { name, meta: { host: hostname(), platform: platform(), synchro: VERSION, sink: sink.description } },
        transport, sink, latencyMs, maxLatencyMs, clock: systemClock, onNotice,
        midiOutputs, midiRoute, ...(midiJitterMs !== undefined ? { midiJitterMs } : {}),
        connect: (kind) => connect(kind, 1000),
      })
      outcome = await rig.done
      if (outcome.ok || !retry || stopping) break
      reporter.event({ event: 'retrying', reason: outcome.reason }, `${outcome.reason}; rejoining in 1 s (--retry)`)
      await pause(1000)
    }
  } finally {
    clearInterval(statsTimer)
    disposeSignals()
    for (const input of midiInputs) input.stop()
    await Promise.all([sink.finish(), ...midiOutputs.map((o) => o.close())])
  }
  if (!outcome || !rig) return 0 // stopped by the operator between retries
  const s = rig.stats()
  reporter.event({ event: 'summary', ok: outcome.ok, reason: outcome.reason, code: outcome.code, sessions, ...s }, `done: ${outcome.reason}; played ${s.framesPlayed} frames, ${s.underruns} underruns`)
  if (!outcome.ok) {
    reporter.problem(outcome.reason)
    return 1
  }
  return 0
}

/** The common routing cases as flags; a profile can say more (MidiRouteSchema). */
function routeFromFlags(v: {
  'midi-channels'?: string | undefined; 'midi-types'?: string | undefined; 'midi-map-channel'?: string[] | undefined
  'midi-map-cc'?: string[] | undefined; 'midi-no-clock'?: boolean | undefined
}): MidiRoute {
  const bad = (flag: string, err: unknown): UsageError => new UsageError('BAD_FLAG', `--${flag}: ${(err as Error).message}`)
  const route: Record<string, unknown> = { clock: !v['midi-no-clock'] }
  try {
    if (v['midi-channels'] !== undefined) route.channels = parseChannelList(v['midi-channels'])
  } catch (err) {
    throw bad('midi-channels', err)
  }
  if (v['midi-types'] !== undefined) {
    const kinds = v['midi-types'].split(',').map((k) => k.trim())
    const unknown = kinds.find((k) => !(MIDI_KINDS as readonly string[]).includes(k))
    if (unknown !== undefined) throw new UsageError('BAD_FLAG', `--midi-types: unknown kind '${unknown}' (kinds: ${MIDI_KINDS.join(', ')})`)
    route.types = kinds as MidiKind[]
  }
  try {
    route.mapChannel = Object.fromEntries((v['midi-map-channel'] ?? []).map((m) => parseMapping(m, 16, 'channel')))
  } catch (err) {
    throw bad('midi-map-channel', err)
  }
  try {
    route.mapController = Object.fromEntries((v['midi-map-cc'] ?? []).map((m) => parseMapping(m, 127, 'controller')))
  } catch (err) {
    throw bad('midi-map-cc', err)
  }
  return MidiRouteSchema.parse(route)
}
