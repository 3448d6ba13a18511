// Which transport the rig's session is on, and moving it to the other on SWITCH. The link
// listens to the current transport and hands its frames, faults and close to the runner;
// on a switch it opens the other transport through `connect`, resumes the session there
// (rig-switch.ts), swaps it in and retires the old one, so the session keeps its machine,
// playout, counters and place in the stream.

import { MSG } from '../codec/header.js'
import { encodeControl, type TransportName } from '../codec/messages.js'
import type { Transport, TransportStats } from '../../transports/transport.js'
import { InvalidStateError, type SynchroError } from '../errors.js'
import type { Clock } from '../clock.js'
import { resumeOn } from './rig-switch.js'

/** The whole move (connect, HELLO, RESUME, RESUMED) must fit in this. */
export const SWITCH_TIMEOUT_MS = 1000

/** How a switch went, for the operator. */
export type RigLinkNotice =
  | { event: 'switched'; from: string; to: TransportName }
  | { event: 'switch-failed'; to: TransportName; reason: string }

export interface RigLinkHandlers {
  /** A frame from the server; `ordered` is false on UDP, where it may overtake the one before it. */
  frame(bytes: Uint8Array, ordered: boolean): void
  /** Bytes from the current transport that are not a frame. */
  badFrame(error: SynchroError): void
  /** The current transport closed (not while a switch decides what that means). */
  disconnect(reason: string): void
  /** The session now runs on `next`: `early` frames arrived there before RESUMED and are to be played. */
  moved(next: Transport, early: readonly Uint8Array[]): void
  notice(notice: RigLinkNotice): void
  /** The session has ended: a switch under way is abandoned. */
  ended(): boolean
}

export interface RigLinkOptions {
  clock: Clock
  /** Opens a connection to the same server on the given transport (for SWITCH). */
  connect?: ((to: TransportName) => Promise<Transport>) | undefined
}

/** What the session needs to resume elsewhere, as HELLO gave it. */
export interface RigSessionTicket {
  sessionId: number
  maxPayload: number
  name: string
}

type UdpExtras = TransportStats & { packetsRecovered?: number }

export class RigLink {
  private transport: Transport
  private detachCurrent: () => void = () => {}
  private switching = false
  private closedWhileSwitching: string | undefined
  private recoveredBefore = 0
  /** Completed moves. */
  switches = 0

  constructor(
    transport: Transport,
    private readonly on: RigLinkHandlers,
    private readonly o: RigLinkOptions,
  ) {
    this.transport = transport
    this.use(transport)
  }

  get current(): Transport {
    return this.transport
  }

  /** Redundant UDP copies that filled a loss, over every transport the session has used. */
  get packetsRecovered(): number {
    return this.recoveredBefore + ((this.transport.stats as UdpExtras).packetsRecovered ?? 0)
  }

  /** Moves the session to `to` with the server's token; on failure the server is told and the session stays. */
  async switchTo(to: TransportName, token: string, ticket: RigSessionTicket): Promise<void> {
    if (this.switching || this.on.ended()) return
    if (this.transport.kind === to) return
    const connect = this.o.connect
    const failed = (reason: string): void => {
      this.transport.send(
        encodeControl({ type: MSG.SWITCH_FAILED, body: { transport: to, reason: reason.slice(0, 500) } }, { sessionId: ticket.sessionId }),
        'control',
      )
      this.on.notice({ event: 'switch-failed', to, reason })
    }
    if (!connect) return failed('this rig cannot open another transport')
    this.switching = true
    let next: Transport | undefined
    try {
      next = await withTimeout(
        connect(to),
        SWITCH_TIMEOUT_MS,
        this.o.clock,
        `cannot reach the server on ${to} within ${SWITCH_TIMEOUT_MS / 1000} s`,
      )
      if (this.on.ended()) throw new InvalidStateError('SESSION_ENDED', 'the session ended while switching')
      next.setMaxPayload(ticket.maxPayload)
      const early = await resumeOn(next, {
        sessionId: ticket.sessionId,
        token,
        name: ticket.name,
        maxPayload: ticket.maxPayload,
        timeoutMs: SWITCH_TIMEOUT_MS,
        clock: this.o.clock,
      })
      if (this.on.ended()) throw new InvalidStateError('SESSION_ENDED', 'the session ended while switching')
      const old = this.transport
      const from = old.kind
      this.recoveredBefore += (old.stats as UdpExtras).packetsRecovered ?? 0
      this.detachCurrent()
      this.transport = next
      this.use(next)
      this.on.moved(next, early)
      void old.close()
      this.switches++
      this.on.notice({ event: 'switched', from, to })
    } catch (err) {
      next?.abort(err as Error)
      if (this.closedWhileSwitching !== undefined) this.on.disconnect(this.closedWhileSwitching)
      else if (!this.on.ended()) failed((err as Error).message)
    } finally {
      this.switching = false
      this.closedWhileSwitching = undefined
    }
  }

  /** Listens to a transport. Its 'close' ends the session only while it is the current one. */
  private use(t: Transport): void {
    const ordered = t.reliable
    const onFrame = (bytes: Uint8Array): void => this.on.frame(bytes, ordered)
    const onBad = (error: SynchroError): void => {
      if (t === this.transport) this.on.badFrame(error)
    }
    const onClose = (err?: Error): void => {
      t.off('frame', onFrame)
      t.off('badFrame', onBad)
      if (t !== this.transport) return
      const reason = err ? err.message : 'the connection closed without TERMINATE'
      // Mid-switch the server retires the old connection as soon as the new one is in use,
      // and its close can overtake RESUMED: the switch decides whether this ends the session.
      if (this.switching) this.closedWhileSwitching = reason
      else this.on.disconnect(reason)
    }
    t.on('frame', onFrame)
    t.on('badFrame', onBad)
    t.once('close', onClose)
    // Retiring a transport keeps its 'frame' listener until it closes: audio still in flight on it is played.
    this.detachCurrent = () => t.off('badFrame', onBad)
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, clock: Clock, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      reject(new Error(message))
      // A connection that arrives after we gave up is closed, not leaked.
      void p.then(
        (t) => (t as { abort?: (e: Error) => void }).abort?.(new Error('switch abandoned')),
        () => {},
      )
    }, ms)
    p.then(
      (v) => {
        clock.clearTimeout(timer)
        resolve(v)
      },
      (e) => {
        clock.clearTimeout(timer)
        reject(e)
      },
    )
  })
}
