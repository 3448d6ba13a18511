// Per-output MIDI routing: which channels and kinds pass, channel and controller remaps,
// clock on or off. One zod schema is the typed, validated structure a show profile fills
// (rigs[i].midi) and the join flags build; CompiledRoute.apply is the hot path.

import { z } from 'zod'
import { CLOCK_KINDS, kindOf, MIDI_KINDS, type MidiKind } from './message.js'

const Channel = z.number().int().min(1, 'expected 1-16').max(16, 'expected 1-16')
const Controller = z.number().int().min(0, 'expected 0-127').max(127, 'expected 0-127')

export const MidiRouteSchema = z
  .object({
    /** Channels that pass (1-16); absent: all. System messages are not channel messages and pass. */
    channels: z.array(Channel).optional(),
    /** Kinds that pass; absent: all but active sensing (a link-local heartbeat, meaningless once delayed). */
    types: z.array(z.enum(MIDI_KINDS as [MidiKind, ...MidiKind[]])).optional(),
    /** Channel remap, applied after the filter: { "1": 10 } plays channel 1 on channel 10. */
    mapChannel: z.record(z.string().regex(/^(?:[1-9]|1[0-6])$/, 'expected a channel 1-16'), Channel).default({}),
    /** Controller remap: { "1": 11 } turns the mod wheel into expression. */
    mapController: z.record(z.string().regex(/^(?:\d|[1-9]\d|1[01]\d|12[0-7])$/, 'expected a controller 0-127'), Controller).default({}),
    /** Pass MIDI clock and transport (start, stop, continue, song position). */
    clock: z.boolean().default(true),
  })
  .strict()

export type MidiRoute = z.output<typeof MidiRouteSchema>

export const PASS_ALL: MidiRoute = MidiRouteSchema.parse({})

/** A route compiled into lookup tables, so a message costs a few array reads. */
export class CompiledRoute {
  private readonly channelPass: boolean[] = []
  private readonly channelTo: number[] = []
  private readonly ccTo: number[] = []
  private readonly kinds: Set<MidiKind>
  readonly identity: boolean

  constructor(route: MidiRoute) {
    for (let ch = 1; ch <= 16; ch++) {
      this.channelPass[ch] = route.channels === undefined || route.channels.includes(ch)
      this.channelTo[ch] = route.mapChannel[String(ch)] ?? ch
    }
    for (let cc = 0; cc < 128; cc++) this.ccTo[cc] = route.mapController[String(cc)] ?? cc
    this.kinds = new Set(route.types ?? MIDI_KINDS.filter((k) => k !== 'active-sensing'))
    if (!route.clock) for (const k of CLOCK_KINDS) this.kinds.delete(k)
    this.identity =
      route.channels === undefined &&
      route.types === undefined &&
      route.clock &&
      Object.keys(route.mapChannel).length === 0 &&
      Object.keys(route.mapController).length === 0
  }

  /** The message as this route passes it (a copy when remapped), or null when it is filtered out. */
  apply(data: Uint8Array): Uint8Array | null {
    const status = data[0]!
    const kind = kindOf(status)
    if (kind === undefined || !this.kinds.has(kind)) return null
    if (status >= 0xf0) return data
    const ch = (status & 0x0f) + 1
    if (!this.channelPass[ch]) return null
    const to = this.channelTo[ch]!
    const isCc = status >> 4 === 0xb
    if (to === ch && (!isCc || this.ccTo[data[1]!] === data[1])) return data
    const out = Uint8Array.from(data)
    out[0] = (status & 0xf0) | (to - 1)
    if (isCc) out[1] = this.ccTo[data[1]!]!
    return out
  }
}

/** "1-4,10" -> [1, 2, 3, 4, 10]; throws with the bad part named. */
export function parseChannelList(text: string): number[] {
  const out = new Set<number>()
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    const lo = m ? Number(m[1]) : NaN
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo
    if (!m || lo < 1 || hi > 16 || lo > hi) throw new Error(`'${part.trim()}' is not a channel or range within 1-16`)
    for (let ch = lo; ch <= hi; ch++) out.add(ch)
  }
  return [...out].sort((a, b) => a - b)
}

/** "1:10" -> ["1", 10] for mapChannel / mapController. */
export function parseMapping(text: string, max: number, what: string): [string, number] {
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(text)
  const min = what === 'channel' ? 1 : 0
  if (!m || Number(m[1]) < min || Number(m[1]) > max || Number(m[2]) < min || Number(m[2]) > max) {
    throw new Error(`'${text}' is not FROM:TO with ${what}s ${min}-${max}`)
  }
  return [String(Number(m[1])), Number(m[2])]
}
