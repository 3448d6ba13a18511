// One side's MIDI, the same class on the server (many rigs) and on a rig (one server): the
// outbound journal to every peer, a receiver and a delivery for each peer it hears from,
// acknowledgements on links that lose datagrams, the release of what a peer left held when
// it departs or moves, the operator's panic, and the figures. The hub knows peers only by
// key: the runner says how to send to one and whether its link is reliable.

import type { Clock } from '../clock.js'
import { encodeMidiAck, type MidiPayload } from '../codec/midi.js'
import { MidiDelivery, type MidiTiming } from './delivery.js'
import type { MidiInput, MidiOutput } from './endpoint.js'
import type { PeerKey } from './journal.js'
import { panicMessages } from './note-state.js'
import { MidiOutbound } from './outbound.js'
import { MidiReceiver } from './receiver.js'
import { CompiledRoute, PASS_ALL } from './route.js'
import type { ShowTimeMap } from '../sync/show-time.js'

export interface MidiHubOptions {
  clock: Clock
  sessionId: () => number
  /** The show position now (sample frames since INIT), or undefined before the show has started. */
  positionNow: () => number | undefined
  /** Sends one frame to one peer (a frame meant for several is encoded once and handed to each). */
  send: (peer: PeerKey, frame: Uint8Array) => void
  /** Whether a peer's link is reliable (TCP: no acks, no repeats); undefined: no such peer now. */
  reliable: (peer: PeerKey) => boolean | undefined
  /** MIDI into the show from this side, read from `start()` on. @default [] */
  inputs?: readonly MidiInput[]
  /** Where the peers' MIDI goes; the hub closes them only in `closeOutputs()`. @default [] */
  outputs?: readonly MidiOutput[]
  /** How the peers' MIDI is routed to the outputs. @default everything but active sensing passes */
  route?: CompiledRoute
  /** When the peers' MIDI leaves the outputs: at its show time, or at once (src/midi/delivery.ts). @default 'immediate' */
  timing?: MidiTiming
  /** With 'show': when show positions leave this side; asked for each message, undefined (no clock or timeline yet): at once. */
  showTime?: () => ShowTimeMap | undefined
  /** Every finite input has ended. */
  onInputsEnded?: () => void
  onInputError?: (input: MidiInput, err: Error) => void
}

export interface MidiHubStats {
  /** Messages from this side's inputs into the show. */
  messagesIn: number
  /** Messages sent to this side's outputs (the panic's included). */
  messagesOut: number
  /** Note-offs and sustain-offs sent for what broken, departed or moved streams left held. */
  released: number
  /** Invalid bytes skipped on raw inputs. */
  invalidBytes: number
  /** Messages given up on before every unreliable peer acknowledged them. */
  expired: number
  /** Messages received from peers, in order, once each. */
  received: number
  /** Messages peers gave up on before they arrived here. */
  lost: number
  /** Messages whose show time had passed when they arrived (sent at once). */
  late: number
  /** Copies dropped (repetition over UDP). */
  duplicates: number
}

interface Inbound {
  receiver: MidiReceiver
  delivery: MidiDelivery
}

/** The panic goes to the outputs whatever a route would filter. */
const EVERYTHING = new CompiledRoute(PASS_ALL)

export class MidiHub {
  private readonly outbound: MidiOutbound
  private readonly inbound = new Map<PeerKey, Inbound>()
  private readonly outputs: readonly MidiOutput[]
  /** Figures of deliveries that are gone (departed peers, panics), so the totals never go back. */
  private readonly before = { messagesOut: 0, released: 0, received: 0, lost: 0, late: 0, duplicates: 0 }

  constructor(private readonly o: MidiHubOptions) {
    this.outputs = o.outputs ?? []
    this.outbound = new MidiOutbound({
      inputs: o.inputs ?? [],
      clock: o.clock,
      sessionId: o.sessionId,
      positionNow: o.positionNow,
      send: (s) => {
        for (const peer of s.peers) for (const frame of s.frames) o.send(peer, frame)
      },
      ...(o.onInputsEnded ? { onInputsEnded: o.onInputsEnded } : {}),
      ...(o.onInputError ? { onInputError: o.onInputError } : {}),
    })
  }

  /** Starts reading this side's inputs (at INIT). */
  start(): void {
    this.outbound.start()
  }

  /** One message into the show from this side, stamped now (dropped before the show starts). */
  push(data: Uint8Array): void {
    this.outbound.push(data)
  }

  /** Sends what is queued now (before a TERMINATE that must not overtake it). */
  flushNow(): void {
    this.outbound.flushNow()
  }

  /** A peer now receives the stream (INIT sent or received): it joins the journal at its head. */
  addPeer(peer: PeerKey): void {
    this.outbound.addPeer(peer, this.o.reliable(peer) ?? true)
  }

  /**
   * A peer moved to another connection (a transport switch): the journal resends on the new
   * one what the old may not have delivered, and its stream in goes on where it was.
   */
  movePeer(from: PeerKey, to: PeerKey): void {
    this.outbound.movePeer(from, to, this.o.reliable(to) ?? true)
    const m = this.inbound.get(from)
    if (m && from !== to) {
      this.inbound.delete(from)
      this.inbound.set(to, m)
    }
  }

  /** A peer's session is over: it leaves the journal, and what its MIDI left held is released. */
  removePeer(peer: PeerKey): void {
    this.outbound.removePeer(peer)
    const m = this.inbound.get(peer)
    if (!m) return
    m.delivery.releaseAll()
    add(this.before, m)
    this.inbound.delete(peer)
  }

  /** One MIDI frame from a peer: put in order, delivered, and acknowledged if its link loses datagrams. */
  receive(peer: PeerKey, midi: MidiPayload): void {
    const m = this.inboundOf(peer)
    const { messages, gap } = m.receiver.receive(midi)
    if (gap) m.delivery.releaseAll()
    m.delivery.deliver(messages)
    if (this.o.reliable(peer) === false) this.o.send(peer, encodeMidiAck(m.receiver.ackSerial, this.o.sessionId()))
  }

  /** A peer acknowledged every serial before `next`. */
  ack(peer: PeerKey, next: number): void {
    this.outbound.ack(peer, next)
  }

  /** Sends what is scheduled now and releases every held note and pedal (a transport switch). */
  releaseHeld(): void {
    for (const m of this.inbound.values()) m.delivery.releaseAll()
  }

  /** The operator's MIDI panic: all notes and sustain off on every channel, to every peer and every output. */
  panic(): void {
    for (const data of panicMessages()) this.outbound.push(data)
    this.releaseHeld()
    if (this.outputs.length === 0) return
    const d = new MidiDelivery({ outputs: this.outputs, route: EVERYTHING, clock: this.o.clock })
    d.sendNow(panicMessages())
    this.before.messagesOut += d.messagesOut
  }

  /** Resolves once what every peer sent so far has left the outputs (at its show time, with --midi-timing show). */
  async whenDelivered(): Promise<void> {
    await Promise.all([...this.inbound.values()].map((m) => m.delivery.whenSent()))
  }

  /** The show is over: inputs and repeats stop, nothing played may keep sounding. */
  stop(): void {
    this.outbound.stop()
    this.releaseHeld()
  }

  closeOutputs(): Promise<void> {
    return Promise.all(this.outputs.map((out) => out.close())).then(() => {})
  }

  /** Messages received from one peer, in order, once each (0 if it has sent none). */
  receivedFrom(peer: PeerKey): number {
    return this.inbound.get(peer)?.receiver.stats.messagesReceived ?? 0
  }

  stats(): MidiHubStats {
    const s = { ...this.before }
    for (const m of this.inbound.values()) add(s, m)
    return { ...s, messagesIn: this.outbound.messagesIn, invalidBytes: this.outbound.invalidBytes, expired: this.outbound.expired }
  }

  private inboundOf(peer: PeerKey): Inbound {
    let m = this.inbound.get(peer)
    if (!m) {
      const delivery = new MidiDelivery({
        outputs: this.outputs,
        route: this.o.route ?? EVERYTHING,
        clock: this.o.clock,
        ...(this.o.timing ? { timing: this.o.timing } : {}),
        ...(this.o.showTime ? { showTime: this.o.showTime } : {}),
      })
      m = { receiver: new MidiReceiver(), delivery }
      this.inbound.set(peer, m)
    }
    return m
  }
}

function add(
  to: { messagesOut: number; released: number; received: number; lost: number; late: number; duplicates: number },
  m: Inbound,
): void {
  to.messagesOut += m.delivery.messagesOut
  to.released += m.delivery.released
  to.late += m.delivery.late
  to.received += m.receiver.stats.messagesReceived
  to.lost += m.receiver.stats.lost
  to.duplicates += m.receiver.stats.duplicates
}
