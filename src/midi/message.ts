// What a MIDI 1.0 message is, from its status byte: how long, what kind, which channel.
// Messages travel whole (status byte included, never running status) between Synchro's parts.

export type MidiKind =
  | 'note-off'
  | 'note-on'
  | 'poly-pressure'
  | 'cc'
  | 'program'
  | 'channel-pressure'
  | 'pitch-bend'
  | 'sysex'
  | 'mtc'
  | 'song-position'
  | 'song-select'
  | 'tune-request'
  | 'clock'
  | 'start'
  | 'continue'
  | 'stop'
  | 'active-sensing'
  | 'reset'

export const MIDI_KINDS: readonly MidiKind[] = [
  'note-off',
  'note-on',
  'poly-pressure',
  'cc',
  'program',
  'channel-pressure',
  'pitch-bend',
  'sysex',
  'mtc',
  'song-position',
  'song-select',
  'tune-request',
  'clock',
  'start',
  'continue',
  'stop',
  'active-sensing',
  'reset',
]

const CHANNEL_KINDS: readonly MidiKind[] = ['note-off', 'note-on', 'poly-pressure', 'cc', 'program', 'channel-pressure', 'pitch-bend']
const SYSTEM_KINDS: Record<number, MidiKind> = {
  0xf0: 'sysex',
  0xf1: 'mtc',
  0xf2: 'song-position',
  0xf3: 'song-select',
  0xf6: 'tune-request',
  0xf8: 'clock',
  0xfa: 'start',
  0xfb: 'continue',
  0xfc: 'stop',
  0xfe: 'active-sensing',
  0xff: 'reset',
}

/** Clock and transport: what `--midi-no-clock` drops and what a remote sequencer follows. */
export const CLOCK_KINDS: ReadonlySet<MidiKind> = new Set(['clock', 'start', 'continue', 'stop', 'song-position'])

export function kindOf(status: number): MidiKind | undefined {
  if (status < 0x80) return undefined
  if (status < 0xf0) return CHANNEL_KINDS[(status >> 4) - 8]
  return SYSTEM_KINDS[status]
}

/** Bytes a message with this status has in all (status included); 0 for sysex (variable), -1 for undefined statuses. */
export function messageLength(status: number): number {
  if (status < 0x80) return -1
  if (status < 0xf0) {
    const hi = status >> 4
    return hi === 0xc || hi === 0xd ? 2 : 3
  }
  switch (status) {
    case 0xf0:
      return 0
    case 0xf1:
    case 0xf3:
      return 2
    case 0xf2:
      return 3
    case 0xf6:
    case 0xf8:
    case 0xfa:
    case 0xfb:
    case 0xfc:
    case 0xfe:
    case 0xff:
      return 1
    default:
      return -1 // 0xf4, 0xf5, 0xf9, 0xfd are undefined; 0xf7 only ends a sysex
  }
}

export function isRealtime(status: number): boolean {
  return status >= 0xf8
}

/** 1-16 for channel messages, undefined for system messages. */
export function channelOf(data: Uint8Array): number | undefined {
  const s = data[0]!
  return s >= 0x80 && s < 0xf0 ? (s & 0x0f) + 1 : undefined
}

/** True when `data` is one complete, valid MIDI 1.0 message. */
export function isCompleteMessage(data: Uint8Array): boolean {
  const status = data[0]
  if (status === undefined) return false
  const len = messageLength(status)
  if (len < 0) return false
  if (len === 0) {
    if (data.byteLength < 2 || data[data.byteLength - 1] !== 0xf7) return false
    for (let i = 1; i < data.byteLength - 1; i++) if (data[i]! >= 0x80) return false
    return true
  }
  if (data.byteLength !== len) return false
  for (let i = 1; i < len; i++) if (data[i]! >= 0x80) return false
  return true
}

/** A line a stage tech can read: "note-on ch1 60 vel 100". */
export function describeMidi(data: Uint8Array): string {
  const kind = kindOf(data[0] ?? 0) ?? `status 0x${(data[0] ?? 0).toString(16)}`
  const ch = channelOf(data)
  const d1 = data[1] ?? 0
  const d2 = data[2] ?? 0
  switch (kind) {
    case 'note-on':
    case 'note-off':
      return `${kind} ch${ch} ${d1} vel ${d2}`
    case 'poly-pressure':
      return `${kind} ch${ch} ${d1} ${d2}`
    case 'cc':
      return `cc ch${ch} ${d1} = ${d2}`
    case 'program':
      return `program ch${ch} ${d1}`
    case 'channel-pressure':
      return `channel-pressure ch${ch} ${d1}`
    case 'pitch-bend':
      return `pitch-bend ch${ch} ${d1 + d2 * 128 - 8192}`
    case 'sysex':
      return `sysex ${data.byteLength} bytes`
    case 'song-position':
      return `song-position ${d1 + d2 * 128}`
    case 'song-select':
      return `song-select ${d1}`
    case 'mtc':
      return `mtc ${d1}`
    default:
      return kind
  }
}
