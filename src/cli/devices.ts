// `synchro devices`: the audio devices and MIDI ports a show can use. A machine with no MIDI system says so in one line and exits 0.

import { describeError } from '../errors.js'
import { listMidiPorts, midiBackend } from '../midi/ports.js'
import type { AudioDeviceInfo } from '../audio/device/portaudio.js'
import { audioDevices } from '../audio/device/isolated.js'
import { parseCommand } from './args.js'

export const DEVICES_HELP = `usage: synchro devices [--rates] [--json]

List audio devices (for --source device:NAME and --sink device:NAME) and MIDI inputs and
outputs (for --midi-in port:NAME and --midi-out port:NAME).

  --rates               also the standard rates (44.1 to 192 kHz) each device opens at:
                        slower, it opens every device at every rate (do not run it on a
                        card that is playing a show)
  --json                the same as one JSON object
`

const OPTIONS = { json: { type: 'boolean' }, rates: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

export async function devices(argv: string[]): Promise<number> {
  const { values: v } = parseCommand('devices', argv, OPTIONS, false)
  if (v.help) {
    process.stdout.write(DEVICES_HELP)
    return 0
  }
  let midi:
    | { available: true; backend: string; inputs: string[]; outputs: string[] }
    | { available: false; backend: string; reason: string }
  try {
    midi = { available: true, ...listMidiPorts() }
  } catch (err) {
    midi = { available: false, backend: midiBackend(), reason: describeError(err) }
  }
  let audio: { available: true; devices: AudioDeviceInfo[] } | { available: false; reason: string }
  try {
    audio = { available: true, devices: audioDevices().list({ rates: v.rates ?? false }) }
  } catch (err) {
    audio = { available: false, reason: describeError(err) }
  }
  if (v.json) {
    process.stdout.write(JSON.stringify({ event: 'devices', midi, audio }) + '\n')
    return 0
  }
  const lines: string[] = []
  if (midi.available) {
    lines.push(`MIDI (${midi.backend}) inputs:`, ...(midi.inputs.length ? midi.inputs.map((n) => `  ${n}`) : ['  (none)']))
    lines.push(`MIDI (${midi.backend}) outputs:`, ...(midi.outputs.length ? midi.outputs.map((n) => `  ${n}`) : ['  (none)']))
  } else {
    lines.push(`MIDI: ${midi.reason}`)
  }
  if (audio.available) {
    lines.push('audio devices (name, host API, in/out channels, default rate, low latency in/out):')
    const khz = (r: number[]): string => (r.length ? r.map((x) => x / 1000).join('/') : '-')
    for (const d of audio.devices) {
      const rates = d.supportedRatesHz ? `  rates in ${khz(d.supportedRatesHz.input)} out ${khz(d.supportedRatesHz.output)} kHz` : ''
      lines.push(
        `  ${d.name}  ${d.hostApi}  ${d.inputChannels}/${d.outputChannels} ch  ${d.defaultRateHz} Hz  ${d.defaultLowInputLatencyMs}/${d.defaultLowOutputLatencyMs} ms${rates}`,
      )
    }
    if (audio.devices.length === 0) lines.push('  (none)')
  } else {
    lines.push(`audio: ${audio.reason}`)
  }
  process.stdout.write(lines.join('\n') + '\n')
  return 0
}
