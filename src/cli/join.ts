// `synchro join HOST:PORT`: connect, handshake, play what the server streams, exit
// when it terminates (0) or when something goes wrong (1, one line on stderr).

import type { Transport } from '../../transports/transport.js'
import type { RigRunner } from '../session/rig-runner.js'
import type { RigOutcome } from '../session/rig-machine.js'
import { describeRigEvent } from './describe-rig.js'
import { JOIN_HELP, parseJoinOptions } from './join-options.js'
import { Reporter } from './reporter.js'
import type { RigEvent } from '../session/events.js'
import { connectTo, openRigMedia, startRigStats, startSession } from './rig.js'
import { onStopSignals } from './signals.js'
import { eventStream, stdoutMedia } from './stdout-media.js'

export async function join(argv: string[]): Promise<number> {
  const s = parseJoinOptions(argv)
  if (s === null) {
    process.stdout.write(JOIN_HELP)
    return 0
  }
  // Raw audio or MIDI on stdout: the events go to stderr.
  const reporter = new Reporter(s.json, eventStream(stdoutMedia(s)))
  const out = (e: RigEvent, line: string | null): void => reporter.event(e, line)
  const emit = (e: RigEvent): void => out(e, describeRigEvent(e))
  let rig: RigRunner | undefined
  const media = openRigMedia(
    s,
    emit,
    (data) => rig?.pushMidi(data),
    (line) => reporter.problem(line),
  )

  // Ctrl-C while still connecting (or between retries): leave no half-made sink file behind, exit cleanly.
  let stopping = false
  let wake: (() => void) | undefined
  const disposeSignals = onStopSignals((sig) => {
    stopping = true
    if (rig && rig.phase !== 'ended') rig.stop(`rig stopped by operator (${sig})`)
    else if (wake) wake()
    else void media.sink.finish().then(() => process.exit(0))
  })
  const pause = (ms: number): Promise<void> =>
    new Promise((r) => {
      const t = setTimeout(() => {
        wake = undefined
        r()
      }, ms)
      wake = () => {
        clearTimeout(t)
        wake = undefined
        r()
      }
    })
  const stopStats = startRigStats(() => rig, out)

  // One session, or with --retry as many as it takes: a rig that lost its server keeps
  // trying and rejoins (the server hands it the live position) when the server is back.
  let outcome: RigOutcome | undefined
  let sessions = 0
  try {
    while (!stopping) {
      let transport: Transport
      try {
        transport = await connectTo(s, s.transport, s.connectTimeout)
      } catch (err) {
        if (!s.retry || stopping) throw err
        emit({ event: 'retrying', reason: (err as Error).message, stage: 'connect' })
        await pause(1000)
        continue
      }
      sessions++
      rig = startSession(s, media, transport, emit)
      outcome = await rig.done
      if (outcome.ok || !s.retry || stopping) break
      emit({ event: 'retrying', reason: outcome.reason, stage: 'session' })
      await pause(1000)
    }
  } finally {
    stopStats()
    disposeSignals()
    await media.close()
  }
  if (!outcome || !rig) return 0 // stopped by the operator between retries
  emit({ event: 'summary', ok: outcome.ok, reason: outcome.reason, code: outcome.code, sessions, ...rig.stats() })
  if (!outcome.ok) {
    reporter.problem(outcome.reason)
    return 1
  }
  return 0
}
