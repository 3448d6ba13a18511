// Source and sink specs ("tone:440", "wav:show.wav", "raw:-", "null") into objects.

import type { SampleFormat } from '../codec/format.js'
import { NullSink, type AudioSink } from '../audio/sink.js'
import { RawSink } from '../audio/raw-sink.js'
import { RawSource } from '../audio/raw-source.js'
import type { AudioSource } from '../audio/source.js'
import { ToneSource } from '../audio/tone-source.js'
import { WavSink } from '../audio/wav-sink.js'
import { WavSource } from '../audio/wav-source.js'
import { UsageError } from '../errors.js'
import { LIMITS } from '../codec/limits.js'
import { systemClock, type Clock } from '../clock.js'
import { NoneSource } from '../audio/none-source.js'
import { DeviceSource } from '../audio/device-source.js'
import { DeviceSink, type DeviceSinkOptions } from '../audio/device-sink.js'
import type { CardEvents } from '../audio/device/card-options.js'
import type { DeviceBuffer } from '../audio/device/buffer-size.js'
import type { MidiInput, MidiOutput } from '../midi/endpoint.js'
import { LogMidiOutput } from '../midi/log-output.js'
import { PortMidiInput, PortMidiOutput } from '../midi/ports.js'
import { RawMidiInput } from '../midi/raw-input.js'
import { RawMidiOutput } from '../midi/raw-output.js'
import { SmfInput } from '../midi/smf-input.js'
import { SmfMidiOutput } from '../midi/smf-output.js'

export interface FormatFlags {
  rateHz: number
  channels: number
  format: SampleFormat
  /** Which of the three the operator gave explicitly. */
  explicit: { rateHz: boolean; channels: boolean; format: boolean }
}

function split(spec: string): [string, string | undefined] {
  const i = spec.indexOf(':')
  return i < 0 ? [spec, undefined] : [spec.slice(0, i), spec.slice(i + 1)]
}

/** A sound card's buffer when --device-buffer is not given (why 128: src/codec/limits.ts). */
export const DEFAULT_DEVICE_BUFFER_FRAMES = LIMITS.deviceBufferFrames.default

export function openSource(
  spec: string,
  f: FormatFlags,
  clock: Clock,
  deviceBuffer: DeviceBuffer = { frames: DEFAULT_DEVICE_BUFFER_FRAMES },
  bitExact = false,
  events: DeviceEvents = {},
): AudioSource {
  const [kind, arg] = split(spec)
  const flagsFormat = { rateHz: f.rateHz, channels: f.channels, format: f.format }
  switch (kind) {
    case 'tone': {
      const hz = arg === undefined || arg === '' ? 440 : Number(arg)
      if (!Number.isFinite(hz) || hz <= 0 || hz >= f.rateHz / 2) {
        throw new UsageError('BAD_SOURCE', `tone frequency must be between 0 and ${f.rateHz / 2} Hz (Nyquist), got '${arg}'`)
      }
      return new ToneSource(flagsFormat, hz, clock)
    }
    case 'wav': {
      if (!arg) throw new UsageError('BAD_SOURCE', 'wav: needs a path, e.g. --source wav:show.wav')
      // The file sets the show's format; --format only picks between what it may play as (wav-conversion.ts).
      const src = new WavSource(arg, clock, { format: f.explicit.format ? f.format : undefined, bitExact })
      const clash = (['rateHz', 'channels'] as const).find((k) => f.explicit[k] && src.format[k] !== f[k])
      if (clash) {
        src.stop()
        const flag = clash === 'rateHz' ? 'rate' : clash
        throw new UsageError(
          'FORMAT_CLASH',
          `${arg} has ${flag} ${src.format[clash]} but --${flag} ${f[clash]} was given (a WAV source sets the show's format; drop the flag)`,
        )
      }
      return src
    }
    case 'raw':
      if (!arg) throw new UsageError('BAD_SOURCE', 'raw: needs a path or - for stdin, e.g. --source raw:-')
      return new RawSource(arg, flagsFormat, clock)
    case 'none':
      return new NoneSource(flagsFormat)
    case 'device':
      return new DeviceSource(flagsFormat, { name: arg, buffer: deviceBuffer, bitExact, clock, ...events })
    default:
      throw new UsageError('BAD_SOURCE', `unknown source '${spec}': use tone[:HZ], wav:PATH, raw:PATH|-, device[:NAME] or none`)
  }
}

/** What a sound card reports mid-show (a source reports faults and returns; a sink also when it starts playing). */
export type DeviceEvents = CardEvents & Pick<DeviceSinkOptions, 'onStarted'>

export function openSink(
  spec: string,
  deviceBuffer: DeviceBuffer = { frames: DEFAULT_DEVICE_BUFFER_FRAMES },
  bitExact = false,
  events: DeviceEvents = {},
): AudioSink {
  const [kind, arg] = split(spec)
  switch (kind) {
    case 'null':
      return new NullSink()
    case 'wav':
      if (!arg || arg === '-') throw new UsageError('BAD_SINK', 'wav: needs a file path, e.g. --sink wav:take.wav')
      return new WavSink(arg)
    case 'raw':
      if (!arg) throw new UsageError('BAD_SINK', 'raw: needs a path or - for stdout, e.g. --sink raw:-')
      return new RawSink(arg)
    case 'device':
      return new DeviceSink({ name: arg, buffer: deviceBuffer, bitExact, clock: systemClock, ...events })
    default:
      throw new UsageError('BAD_SINK', `unknown sink '${spec}': use null, wav:PATH, raw:PATH|- or device[:NAME]`)
  }
}

/** --midi-in: port:NAME | virtual:NAME | file:PATH.mid | raw:PATH|- */
export function openMidiInput(spec: string, clock: Clock): MidiInput {
  const [kind, arg] = split(spec)
  const need = (what: string): string => {
    if (!arg)
      throw new UsageError('BAD_MIDI_SPEC', `${kind}: needs ${what}, e.g. --midi-in ${kind}:${what === 'a name' ? 'Keys' : 'show.mid'}`)
    return arg
  }
  switch (kind) {
    case 'port':
      return new PortMidiInput(need('a name'), false)
    case 'virtual':
      return new PortMidiInput(need('a name'), true)
    case 'file':
      return new SmfInput(need('a path'), clock)
    case 'raw':
      return new RawMidiInput(need('a path'))
    default:
      throw new UsageError('BAD_MIDI_SPEC', `unknown MIDI input '${spec}': use port:NAME, virtual:NAME, file:PATH.mid or raw:PATH|-`)
  }
}

/** --midi-out: port:NAME | virtual:NAME | log | file:PATH.mid | raw:PATH|- */
export function openMidiOutput(spec: string, clock: Clock, log: ConstructorParameters<typeof LogMidiOutput>[0]): MidiOutput {
  const [kind, arg] = split(spec)
  if (kind === 'log' && arg === undefined) return new LogMidiOutput(log)
  if (!arg)
    throw new UsageError('BAD_MIDI_SPEC', `unknown MIDI output '${spec}': use port:NAME, virtual:NAME, log, file:PATH.mid or raw:PATH|-`)
  switch (kind) {
    case 'port':
      return new PortMidiOutput(arg, false)
    case 'virtual':
      return new PortMidiOutput(arg, true)
    case 'file':
      return new SmfMidiOutput(arg, clock)
    case 'raw':
      return new RawMidiOutput(arg)
    default:
      throw new UsageError('BAD_MIDI_SPEC', `unknown MIDI output '${spec}': use port:NAME, virtual:NAME, log, file:PATH.mid or raw:PATH|-`)
  }
}
