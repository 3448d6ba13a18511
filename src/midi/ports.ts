// Hardware and software MIDI ports through easymidi (RtMidi underneath), loaded only when a
// port is asked for, so Synchro installs and runs with files and pipes where the native
// module cannot build or the machine has no MIDI system. The RtMidi backend is ALSA on
// Linux unless `npm run midi:jack` installed the JACK build (docs/MIDI.md).

import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DeviceError, UsageError } from '../errors.js'
import type { MidiInput, MidiInputHandlers, MidiOutput } from './endpoint.js'

interface EasyMidiMessage {
  _type: string
  bytes?: number[]
  [k: string]: unknown
}
interface EasyInput {
  on(event: 'message', fn: (msg: EasyMidiMessage) => void): void
  close(): void
  parseMessage(bytes: number[]): { type: string; msg: Record<string, unknown> }
}
interface EasyOutput {
  send(type: string, args: unknown): void
  close(): void
}
interface EasyMidi {
  Input: new (name: string, virtual?: boolean) => EasyInput
  Output: new (name: string, virtual?: boolean) => EasyOutput
  getInputs(): string[]
  getOutputs(): string[]
}

const require = createRequire(import.meta.url)
let loaded: EasyMidi | undefined

export type MidiBackend = 'alsa' | 'jack' | 'coremidi' | 'winmm'

/** Which RtMidi API the installed binding uses. */
export function midiBackend(): MidiBackend {
  if (process.platform === 'darwin') return 'coremidi'
  if (process.platform === 'win32') return 'winmm'
  try {
    const marker = join(dirname(require.resolve('@julusian/midi/package.json')), 'build', 'Release', 'synchro-backend.json')
    if (existsSync(marker) && (JSON.parse(readFileSync(marker, 'utf8')) as { backend?: string }).backend === 'jack') return 'jack'
  } catch {
    // no binding installed: reported when a port is opened
  }
  return 'alsa'
}

const ALTERNATIVES = 'use file:PATH.mid, raw:PATH|- or log instead, or the JACK MIDI backend (npm run midi:jack, docs/MIDI.md)'

/** Loads easymidi, or throws one line saying why MIDI ports are not available here. */
export function easymidi(): EasyMidi {
  if (loaded) return loaded
  const backend = midiBackend()
  // Checked before RtMidi is touched: libasound prints its own errors to stderr when the sequencer is missing.
  if (backend === 'alsa' && process.platform === 'linux' && !existsSync('/dev/snd/seq')) {
    throw new DeviceError('NO_MIDI_SYSTEM', `no MIDI system: this machine has no ALSA sequencer (/dev/snd/seq); ${ALTERNATIVES}`)
  }
  if (backend === 'jack' && !jackServerVisible()) {
    throw new DeviceError(
      'NO_MIDI_SYSTEM',
      `no MIDI system: no JACK server '${jackServerName()}' is running (start jackd -n ${jackServerName()}, or set JACK_DEFAULT_SERVER); use file:PATH.mid, raw:PATH|- or log instead`,
    )
  }
  let mod: EasyMidi
  try {
    mod = require('easymidi') as EasyMidi
  } catch (err) {
    throw new DeviceError(
      'NO_MIDI_SYSTEM',
      `MIDI ports need the easymidi package, which is not installed here (${(err as Error).message.split('\n')[0]}); ${ALTERNATIVES}`,
    )
  }
  try {
    mod.getInputs() // opens the RtMidi client: fails here if the backend is not running
  } catch (err) {
    const why =
      backend === 'jack'
        ? 'no JACK server is running (start jackd, or set JACK_DEFAULT_SERVER)'
        : `RtMidi could not start (${(err as Error).message})`
    throw new DeviceError('NO_MIDI_SYSTEM', `no MIDI system: ${why}; use file:PATH.mid, raw:PATH|- or log instead`)
  }
  loaded = mod
  return mod
}

function jackServerName(): string {
  return process.env.JACK_DEFAULT_SERVER || 'default'
}

/**
 * jackd (jack2) makes /dev/shm/jack_<server>_<uid>_0; PipeWire's libjack talks to the
 * PipeWire socket instead. Checked first so a missing server is one line, not libjack's
 * stderr chatter and RtMidi's "Internal RtMidi error".
 */
function jackServerVisible(): boolean {
  const uid = process.getuid?.() ?? 0
  if (existsSync(`/dev/shm/jack_${jackServerName()}_${uid}_0`)) return true
  const runtime = process.env.XDG_RUNTIME_DIR
  return runtime !== undefined && existsSync(join(runtime, 'pipewire-0'))
}

/** Opening a port: RtMidi's own errors say little, so they become one line that does. */
function openPort<T>(what: string, open: () => T): T {
  try {
    return open()
  } catch (err) {
    throw new DeviceError('MIDI_PORT_FAILED', `cannot open ${what}: ${(err as Error).message} (${midiBackend()} MIDI)`)
  }
}

export interface MidiPortList {
  backend: MidiBackend
  inputs: string[]
  outputs: string[]
}

export function listMidiPorts(): MidiPortList {
  const m = easymidi()
  return { backend: midiBackend(), inputs: m.getInputs(), outputs: m.getOutputs() }
}

/** Finds a port by its whole name, its name after "client:", or a unique prefix of either. */
export function matchPort(wanted: string, names: readonly string[], what: 'input' | 'output'): string {
  const short = (n: string): string => n.slice(n.lastIndexOf(':') + 1)
  const exact = names.filter((n) => n === wanted || short(n) === wanted)
  if (exact.length === 1) return exact[0]!
  const prefixed = names.filter((n) => n.startsWith(wanted) || short(n).startsWith(wanted))
  if (prefixed.length === 1) return prefixed[0]!
  const list = names.length ? names.map((n) => `'${n}'`).join(', ') : 'none'
  if (prefixed.length > 1 || exact.length > 1)
    throw new UsageError(
      'AMBIGUOUS_PORT',
      `MIDI ${what} '${wanted}' matches ${(exact.length > 1 ? exact : prefixed).map((n) => `'${n}'`).join(', ')}: say which`,
    )
  throw new UsageError('UNKNOWN_PORT', `no MIDI ${what} named '${wanted}' (${what}s here: ${list})`)
}

/** The bytes of a message easymidi parsed, through easymidi's own encoder. */
function bytesOf(out: EasyOutputEncoder, msg: EasyMidiMessage): Uint8Array | undefined {
  if (msg._type === 'sysex' && msg.bytes) return Uint8Array.from(msg.bytes)
  try {
    return Uint8Array.from(out.parseMessage(msg._type, { ...msg }))
  } catch {
    return undefined
  }
}
interface EasyOutputEncoder {
  parseMessage(type: string, args: unknown): number[]
}

export class PortMidiInput implements MidiInput {
  readonly description: string
  readonly finite = false
  readonly invalidBytes = 0
  private port: EasyInput | undefined

  constructor(
    private readonly name: string,
    virtual: boolean,
  ) {
    const m = easymidi()
    if (!virtual) this.name = matchPort(name, m.getInputs(), 'input')
    this.description = virtual ? `virtual MIDI input '${name}' (${midiBackend()})` : `MIDI input '${this.name}'`
    // Opened now, so a virtual port exists for other programs to connect to before the show starts.
    this.port = openPort(this.description, () => new m.Input(this.name, virtual))
  }

  start(on: MidiInputHandlers): void {
    const encoder = easymidi().Output.prototype as unknown as EasyOutputEncoder
    this.port?.on('message', (msg) => {
      const data = bytesOf(encoder, msg)
      if (data && data.byteLength > 0) on.message(data)
    })
  }

  stop(): void {
    this.port?.close()
    this.port = undefined
  }
}

export class PortMidiOutput implements MidiOutput {
  readonly description: string
  private port: EasyOutput | undefined
  private readonly decoder: EasyInput

  constructor(name: string, virtual: boolean) {
    const m = easymidi()
    const resolved = virtual ? name : matchPort(name, m.getOutputs(), 'output')
    this.description = virtual ? `virtual MIDI output '${name}' (${midiBackend()})` : `MIDI output '${resolved}'`
    this.port = openPort(this.description, () => new m.Output(resolved, virtual))
    this.decoder = m.Input.prototype as unknown as EasyInput
  }

  send(data: Uint8Array): void {
    if (!this.port) return
    if (data[0] === 0xf0) return this.port.send('sysex', Array.from(data))
    const { type, msg } = this.decoder.parseMessage(Array.from(data))
    this.port.send(type, msg)
  }

  async close(): Promise<void> {
    this.port?.close()
    this.port = undefined
  }
}
