// A Standard MIDI File's bytes checked, then parsed with midi-file. midi-file reads past the
// end of a cut track as undefined bytes (a cut note-on becomes a note of velocity 0), throws
// strings rather than errors, and refuses the alien chunks SMF 1.0 tells players to skip
// ("Chunks": "expect alien chunks and treat them as if they weren't there"). So the chunks,
// and each track's events by their sizes only, are walked here first, and every fault is one
// line naming the file: empty, cut short (which track, how much is missing), a format or a
// time division Synchro does not play.

import { parseMidi, type MidiData } from 'midi-file'
import { UsageError } from '../errors.js'
import { messageLength } from './message.js'

/** SMPTE frame rates a division may name (SMF 1.0, "division": -24, -25, -29, -30). */
const SMPTE_RATES = new Set([24, 25, 29, 30])

function refuse(name: string, why: string): never {
  throw new UsageError('BAD_MIDI_FILE', `${name} ${why}`)
}

const idAt = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)
const u32At = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!
const u16At = (b: Uint8Array, at: number): number => (b[at]! << 8) + b[at + 1]!

/** The file's header and its tracks' bytes, chunks checked; alien chunks left out. */
export function readSmf(bytes: Uint8Array, name: string): MidiData {
  if (bytes.byteLength === 0) refuse(name, 'is empty (0 bytes), not a Standard MIDI File')
  if (bytes.byteLength < 4 || idAt(bytes, 0) !== 'MThd') refuse(name, 'is not a Standard MIDI File: it does not begin with MThd')
  if (bytes.byteLength < 14) refuse(name, `is cut short: ${bytes.byteLength} bytes, not even a whole header (14)`)
  const headerBytes = u32At(bytes, 4)
  if (headerBytes < 6) refuse(name, `has a ${headerBytes}-byte header, 6 are needed`)
  const format = u16At(bytes, 8)
  const numTracks = u16At(bytes, 10)
  const division = u16At(bytes, 12)
  if (format === 2) {
    refuse(name, 'is format 2 (independent patterns, one after another), which Synchro does not play: save it as format 0 or 1')
  }
  if (format > 2) refuse(name, `is format ${format}: only formats 0 and 1 play`)
  if (division & 0x8000) {
    const fps = 0x100 - (division >> 8)
    if (!SMPTE_RATES.has(fps)) refuse(name, `has an SMPTE division of -${fps} frames a second: only -24, -25, -29 and -30 exist`)
    if ((division & 0xff) === 0) refuse(name, 'has an SMPTE division of 0 ticks a frame')
  } else if (division === 0) refuse(name, 'has a division of 0 ticks a beat')

  const tracks: Uint8Array[] = []
  let aliens = false
  let at = 8 + headerBytes
  if (at > bytes.byteLength) refuse(name, `is cut short inside its ${headerBytes}-byte header`)
  // Up to the tracks the header declares, as midi-file reads: bytes after them are not read.
  while (tracks.length < numTracks && at < bytes.byteLength) {
    const n = tracks.length + 1
    if (bytes.byteLength - at < 8) refuse(name, `is cut short: it ends inside the header of track ${n} of ${numTracks}`)
    const id = idAt(bytes, at)
    const length = u32At(bytes, at + 4)
    const there = bytes.byteLength - at - 8
    if (id === 'MTrk') {
      if (length > there) refuse(name, `is cut short: track ${n} of ${numTracks} declares ${length} bytes, ${there} are there`)
      tracks.push(bytes.subarray(at + 8, at + 8 + length))
    } else {
      aliens = true
      if (length > there) refuse(name, `is cut short: its '${id}' chunk declares ${length} bytes, ${there} are there`)
    }
    at += 8 + length
  }
  if (tracks.length < numTracks)
    refuse(name, `is cut short: its header declares ${numTracks} tracks, only ${tracks.length} ${tracks.length === 1 ? 'is' : 'are'} there`)
  tracks.forEach((t, i) => {
    const fault = trackFault(t)
    const which = `track ${i + 1} of ${numTracks}`
    if (fault?.cut) refuse(name, `is cut short: ${which} ends inside an event`)
    if (fault) refuse(name, `is not a Standard MIDI File: ${which} has ${fault.what}`)
  })

  // Only the header and the tracks go to midi-file (it stops at the first alien chunk).
  const clean = aliens ? withoutAliens(bytes.subarray(0, 8 + headerBytes), tracks) : bytes
  try {
    return parseMidi(clean)
  } catch (err) {
    refuse(name, `is not a Standard MIDI File: ${err instanceof Error ? err.message : String(err)}`)
  }
}

function withoutAliens(header: Uint8Array, tracks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(header.byteLength + tracks.reduce((n, t) => n + 8 + t.byteLength, 0))
  out.set(header)
  let at = header.byteLength
  for (const t of tracks) {
    out.set([0x4d, 0x54, 0x72, 0x6b, t.byteLength >>> 24, (t.byteLength >> 16) & 0xff, (t.byteLength >> 8) & 0xff, t.byteLength & 0xff], at)
    out.set(t, at + 8)
    at += 8 + t.byteLength
  }
  return out
}

/**
 * Walks a track's events by their sizes (SMF 1.0, "Track chunks": delta-time, then a MIDI
 * event under running status, F0/F7 <length> <bytes>, or FF <type> <length> <bytes>).
 * Returns what is wrong (cut: the track ends inside an event), or undefined when the last
 * event ends where the chunk does.
 */
function trackFault(t: Uint8Array): { cut: true } | { cut: false; what: string } | undefined {
  let at = 0
  let running = 0
  const cut = { cut: true } as const
  const bad = (what: string) => ({ cut: false, what }) as const
  /** A variable-length quantity: at most 4 bytes (SMF 1.0, 0x0FFFFFFF at most); -1 when the track ends inside it. */
  const varLen = (): number => {
    let v = 0
    for (let i = 0; i < 4; i++) {
      if (at >= t.byteLength) return -1
      const b = t[at++]!
      v = v * 128 + (b & 0x7f)
      if (b < 0x80) return v
    }
    return -2
  }
  while (at < t.byteLength) {
    const eventAt = at
    const delta = varLen()
    if (delta === -1) return cut
    if (delta === -2) return bad(`a delta-time longer than 4 bytes at byte ${eventAt}`)
    if (at >= t.byteLength) return cut
    const first = t[at]!
    let size: number
    if (first === 0xff || first === 0xf0 || first === 0xf7) {
      at += first === 0xff ? 2 : 1
      if (at > t.byteLength) return cut
      const length = varLen()
      if (length === -1) return cut
      if (length === -2) return bad(`a length longer than 4 bytes at byte ${eventAt}`)
      size = length
    } else if (first >= 0x80) {
      const len = messageLength(first)
      if (first >= 0xf0 || len < 0) return bad(`status 0x${first.toString(16)} (not allowed in a file) at byte ${at}`)
      running = first
      at++
      size = len - 1
    } else {
      // Running status. SMF 1.0 has sysex and meta events cancel it; midi-file keeps it across
      // them, as files written that way need, and so does this walk.
      if (running === 0) return bad(`a data byte with no status before it at byte ${at}`)
      size = messageLength(running) - 1
    }
    at += size
    if (at > t.byteLength) return cut
  }
  return undefined
}
