// The rig's half of a transport switch, on the new connection: wait for the server's
// HELLO (which proves it is the same show), answer RESUME with the session's token, wait
// for RESUMED. Anything else the server sends meanwhile (UDP audio can overtake RESUMED)
// is kept and handed back, to be played once the session has moved.

import { MSG, messageTypeName } from '../codec/header.js'
import { decodeFrame, encodeControl, readControl, CONTROL_MAX_PAYLOAD } from '../codec/messages.js'
import { ConnectionError, ProtocolError, TimeoutError } from '../errors.js'
import type { Transport } from '../../transports/transport.js'
import type { Clock } from '../clock.js'

export interface ResumeRequest {
  sessionId: number
  token: string
  name: string
  maxPayload: number
  timeoutMs: number
  clock: Clock
}

/** Resolves with the frames that arrived after RESUMED was due; rejects with a reason for the operator. */
export function resumeOn(t: Transport, r: ResumeRequest): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const early: Uint8Array[] = []
    let resumeSent = false
    const finish = (err?: Error): void => {
      r.clock.clearTimeout(timer)
      t.off('frame', onFrame)
      t.off('close', onClose)
      if (err) reject(err)
      else resolve(early)
    }
    const timer = r.clock.setTimeout(
      () => finish(new TimeoutError('SWITCH_TIMEOUT', `no answer on ${t.kind} within ${(r.timeoutMs / 1000).toFixed(1)} s`)),
      r.timeoutMs,
    )
    const onClose = (err?: Error): void =>
      finish(new ConnectionError('SWITCH_CLOSED', err ? err.message : `the ${t.kind} connection closed`))
    const onFrame = (bytes: Uint8Array): void => {
      try {
        const frame = decodeFrame(bytes, Math.max(r.maxPayload, CONTROL_MAX_PAYLOAD))
        const { type, sessionId } = frame.header
        if (type === MSG.HELLO && !resumeSent) {
          if (sessionId !== r.sessionId)
            throw new ConnectionError('OTHER_SHOW', `a different show answered on ${t.kind} (session ${sessionId})`)
          t.send(encodeControl({ type: MSG.RESUME, body: { token: r.token, name: r.name } }, { sessionId: r.sessionId }), 'control')
          resumeSent = true
          return
        }
        if (!resumeSent || sessionId !== r.sessionId) return
        if (type === MSG.RESUMED) return finish()
        if (type === MSG.TERMINATE) {
          const msg = readControl(frame)
          throw new ConnectionError('SWITCH_REFUSED', `the server refused: ${(msg.body as { reason: string }).reason}`)
        }
        if (type === MSG.AUDIO || type === MSG.MIDI || type === MSG.MIDI_ACK) early.push(bytes)
        else if (type !== MSG.PING && type !== MSG.PONG) throw new ProtocolError('UNEXPECTED', `${messageTypeName(type)} before RESUMED`)
      } catch (err) {
        finish(err as Error)
      }
    }
    t.on('frame', onFrame)
    t.once('close', onClose)
  })
}
