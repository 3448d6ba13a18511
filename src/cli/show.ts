// What `serve` and the operator console share: a show, opened from checked options,
// listening, with every event it has to tell going out through one function.

import { randomInt } from 'node:crypto'
import { hostname } from 'node:os'
import { bytesPerFrame, type AudioFormat } from '../codec/format.js'
import { listenBoth } from '../../transports/listen-both.js'
import { AudioPacketizer, maxDatagramBytes, maxRedundancy } from '../codec/datagrams.js'
import { systemClock } from '../clock.js'
import { maxAudioPayload } from '../session/server-machine.js'
import { ServerRunner } from '../session/server-runner.js'
import type { ServerSummary } from '../session/stats.js'
import { MEDIA_MAX_PAYLOAD } from '../codec/messages.js'
import { UsageError } from '../errors.js'
import { NoneSource } from '../audio/none-source.js'
import type { AudioSource } from '../audio/source.js'
import { Reporter } from './reporter.js'
import { eventStream, stdoutMedia } from './stdout-media.js'
import type { ShowEvent } from '../session/events.js'
import { openMidiInput, openMidiOutput, openSource } from './specs.js'
import { describeShowEvent, describeShowStats } from './describe-show.js'
import type { ServeSettings } from './serve-options.js'
import { checkShowFormat } from './show-format.js'

/** Where a show's events go with their human line: the reporter (serve) or the console's log. */
export type ShowOutput = (event: ShowEvent, line: string | null) => void

/** A show, listening, with its events. */
export interface Show {
  runner: ServerRunner
  reporter: Reporter<ShowEvent>
  control: boolean
  name: string
  transport: 'tcp' | 'udp'
  port: number
  format: AudioFormat
  sourceDescription: string
  /** Sends an event of the show's (a control answer) the way its own go: with its line. */
  emit: (event: ShowEvent) => void
  /** Resolves once the show is over and the listener closed (the summary event is out). */
  done: Promise<ServerSummary>
}

/** Packets must fit the protocol's payload cap, and redundant copies the MTU. */
function checkPacketsFit(format: AudioFormat, mtu: number, redundancy: number): void {
  const frames = format.framesPerPacket
  if (maxAudioPayload(format) > MEDIA_MAX_PAYLOAD) {
    const bytes = maxAudioPayload(format)
    throw new UsageError('BAD_FLAG', `--frames ${frames} makes ${bytes}-byte packets, over the ${MEDIA_MAX_PAYLOAD}-byte limit`)
  }
  const fits = maxRedundancy(format, maxDatagramBytes(mtu))
  if (redundancy > fits) {
    throw new UsageError(
      'BAD_FLAG',
      `--redundancy ${redundancy} does not fit a ${mtu}-byte MTU with ${frames}-frame packets ` +
        `(at most ${fits}): lower --frames or --redundancy, or raise --mtu`,
    )
  }
}

/**
 * Opens the source and MIDI, listens and starts the show. In the console the keyboard owns
 * stdin and the show starts on a key unless the options say otherwise (serveSettings).
 */
export async function openShow(s: ServeSettings, output?: ShowOutput): Promise<Show> {
  // `--midi-out raw:-` puts rigs' MIDI on stdout: the events go to stderr.
  const reporter = new Reporter(s.json, eventStream(stdoutMedia(s)))
  const out: ShowOutput = output ?? ((e, line) => reporter.event(e, line))
  const emit = (e: ShowEvent): void => out(e, describeShowEvent(e))

  const clock = systemClock
  const formatFlags = { rateHz: s.rate, channels: s.channels, format: s.format, explicit: s.explicit }
  // A capture card lost mid-show: the show goes on in silence and the card is reopened.
  const source = openSource(s.source, formatFlags, clock, s.deviceBuffer, s.bitExact, {
    onFault: (reason) => emit({ event: 'device-fault', reason }),
    onRestored: (description) => emit({ event: 'device-restored', description }),
  })
  const { conversion = null, warnings = [] }: AudioSource = source
  const format: AudioFormat = { ...source.format, framesPerPacket: s.frames }
  try {
    checkShowFormat(source.description, format)
  } catch (err) {
    source.stop()
    throw err
  }
  // A WAV converted or cut short says so once, on stderr; the listening event carries the same for --json and the console.
  if (!output) {
    if (conversion) reporter.problem(`${source.description}: ${conversion}`)
    for (const line of warnings) reporter.problem(line)
  }
  const midiInputs = s.midiIn.map((spec) => openMidiInput(spec, clock))
  const midiOutputs = s.midiOut.map((spec) => openMidiOutput(spec, clock, (e) => emit(e)))
  if (source instanceof NoneSource && midiInputs.length === 0 && midiOutputs.length === 0) {
    throw new UsageError('BAD_FLAG', '--source none streams no audio: give MIDI to send (--midi-in) or to receive (--midi-out)')
  }
  checkPacketsFit(format, s.mtu, s.redundancy)
  const packetizer = new AudioPacketizer(format, maxDatagramBytes(s.mtu), s.redundancy)
  const sessionId = randomInt(1, 0xffff_ffff)
  const name = s.name ?? hostname()

  // --duration counts streamed time: in the source's frames where there is audio
  // (src/session/source-lifecycle.ts), on the clock from INIT in a MIDI-only show.
  const audioless = source instanceof NoneSource
  let durationTimer: NodeJS.Timeout | undefined
  const armDuration = (durationS: number | undefined): void => {
    if (audioless && durationS !== undefined && durationTimer === undefined) {
      durationTimer = setTimeout(() => runner.terminate(`duration of ${durationS} s reached`, 'duration'), durationS * 1000)
    }
  }

  const runner = new ServerRunner({
    config: {
      serverName: name,
      format,
      sessionId,
      clients: s.clients,
      pingIntervalMs: s.pingMs,
      handshakeTimeoutMs: 5000,
      showLatencyMs: s.latency,
      mode: s.transport,
    },
    source,
    clock,
    packetizer,
    midiInputs,
    midiOutputs,
    onMidiInputsEnded: () => {
      // A MIDI-only show ends with its MIDI; with audio, the audio decides.
      if (audioless) runner.terminate('end of MIDI input', 'end-of-source')
    },
    onMidiInputError: (input, err) => reporter.problem(`${input.description} failed: ${err.message}`),
    ...(s.duration !== undefined && !audioless ? { durationS: s.duration } : {}),
    onNotice: (n) => {
      if (n.event === 'init') armDuration(s.duration)
      emit(n)
    },
  })

  const listener = await listenBoth(s.host, s.port, (t) => runner.attach(t), {
    sessionId,
    // A rig more than a second of audio behind loses its oldest audio; 4 s without draining, it is dropped.
    maxQueueBytes: Math.max(64 * 1024, format.rateHz * bytesPerFrame(format)),
  })
  emit({
    event: 'listening',
    transport: s.transport,
    host: s.host,
    port: listener.port,
    format,
    mtu: s.mtu,
    redundancy: s.redundancy,
    source: source.description,
    conversion,
    warnings: [...warnings],
    midi: [...midiInputs, ...midiOutputs].map((m) => m.description),
    clients: s.clients,
  })
  runner.listening()

  // Stats every second for --json and the console; a human line every fifth while streaming.
  const hasMidi = midiInputs.length > 0 || midiOutputs.length > 0
  let statsCount = 0
  const statsTimer = setInterval(() => {
    const stats = runner.stats()
    statsCount++
    const line = statsCount % 5 === 0 && stats.phase === 'streaming' ? describeShowStats(stats, hasMidi) : null
    // Datagrams from strangers (not a CONNECT, no session): counted, never let in.
    out(
      { event: 'stats', ...stats, udpStrangerDatagrams: listener.udp.stats.strangerDatagrams, device: source.deviceStats?.() ?? null },
      line,
    )
  }, 1000)

  const done = runner.done.then(async (summary) => {
    clearInterval(statsTimer)
    clearTimeout(durationTimer)
    await listener.close()
    emit({ event: 'summary', ...summary, rateHz: format.rateHz })
    return summary
  })
  return {
    runner,
    reporter,
    control: s.control,
    name,
    transport: s.transport,
    port: listener.port,
    format,
    sourceDescription: source.description,
    emit,
    done,
  }
}
