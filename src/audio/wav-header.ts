// A WAV file's header: the chunk walk from the start of the file up to the data chunk,
// reading only chunk headers and the small chunks it needs (fmt, ds64), never the audio.
//
// Why not wavefile (which src/audio/wav-sink.ts writes headers with): its reader indexes
// every chunk of a buffer holding the whole file (riff-file.js getSubChunksIndex_), takes
// the data chunk's 32-bit size as it stands, so an RF64 file's 0xFFFFFFFF runs to the end
// of the buffer and plays the chunks after the data as audio, and cannot say where a
// chunk past a prefix begins. A file of any size is read from disk as it plays
// (src/audio/file-read-ahead.ts), so the walk is done here against the specs:
// - RIFF and WAVEFORMATEX/WAVEFORMATEXTENSIBLE: Microsoft, "Multimedia Programming
//   Interface and Data Specifications 1.0" (1991), RIFF chunks are padded to an even size;
//   "WAVEFORMATEXTENSIBLE structure" (mmreg.h / ksmedia.h): cbSize 22, wValidBitsPerSample,
//   dwChannelMask, SubFormat GUID whose first two bytes are the format tag.
// - RIFX: the same layout with every number big-endian (the samples too).
// - RF64: EBU Tech 3306 (2009), section 3: the RIFF size and the data chunk's size are
//   0xFFFFFFFF and the real 64-bit sizes are in a 'ds64' chunk that must come first;
//   ITU-R BS.2088's BW64 is the same layout under another id.

import { UsageError } from '../errors.js'

export const WAVE_FORMAT = {
  PCM: 0x0001,
  IEEE_FLOAT: 0x0003,
  ALAW: 0x0006,
  MULAW: 0x0007,
  EXTENSIBLE: 0xfffe,
} as const

/** A 32-bit size field that was never filled in (RF64's rule; writers that cannot seek back leave it too). */
export const SIZE_UNSET = 0xffff_ffff

export interface WavHeader {
  container: 'RIFF' | 'RIFX' | 'RF64' | 'BW64'
  /** Samples are big-endian (RIFX). */
  bigEndian: boolean
  /** The format tag, EXTENSIBLE resolved to its SubFormat's. */
  formatTag: number
  extensible: boolean
  channels: number
  rateHz: number
  /** Bits each sample takes in the file (the container). */
  bitsPerSample: number
  /** Bits that carry the signal (EXTENSIBLE's wValidBitsPerSample; otherwise bitsPerSample). */
  validBits: number
  /** Where the audio starts in the file, bytes. */
  dataOffset: number
  /** What the header says the audio's length is, bytes; null when it was never set (0xFFFFFFFF in a RIFF file). */
  dataBytes: number | null
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Uint8Array

/** The largest fmt or ds64 chunk read whole; both are tens of bytes (EXTENSIBLE's fmt is 40, ds64 28 plus a table). */
const MAX_SMALL_CHUNK = 4096

/** Walks the chunks from the start of the file to the data chunk. Not a WAV, or no fmt or data chunk: a UsageError naming the file. */
export function readWavHeader(path: string, readAt: ReadAt): WavHeader {
  const notWav = (why: string): UsageError => new UsageError('SOURCE_NOT_WAV', `${path} is not a WAV file: ${why}`)
  const head = readAt(0, 12)
  const id = ascii(head, 0)
  if (head.byteLength < 12 || !['RIFF', 'RIFX', 'RF64', 'BW64'].includes(id) || ascii(head, 8) !== 'WAVE') {
    throw notWav('it does not start with RIFF/RIFX/RF64 ... WAVE')
  }
  const container = id as WavHeader['container']
  const bigEndian = container === 'RIFX'
  const u16 = (b: Uint8Array, at: number): number => view(b).getUint16(at, !bigEndian)
  const u32 = (b: Uint8Array, at: number): number => view(b).getUint32(at, !bigEndian)
  const u64 = (b: Uint8Array, at: number): number => u32(b, at) + u32(b, at + 4) * 2 ** 32

  let ds64DataBytes: number | undefined
  let fmt: Omit<WavHeader, 'container' | 'bigEndian' | 'dataOffset' | 'dataBytes'> | undefined
  let position = 12
  for (;;) {
    const chunk = readAt(position, 8)
    if (chunk.byteLength < 8) throw notWav(fmt ? 'no data chunk' : 'no fmt chunk')
    const chunkId = ascii(chunk, 0)
    const size = u32(chunk, 4)
    const body = position + 8
    if (chunkId === 'data') {
      if (!fmt) throw notWav('the data chunk comes before the fmt chunk')
      const rf64 = container === 'RF64' || container === 'BW64'
      // EBU Tech 3306 section 3: in RF64 the data chunk's own size is -1 and ds64 holds it.
      const dataBytes = rf64 && size === SIZE_UNSET && ds64DataBytes !== undefined ? ds64DataBytes : size === SIZE_UNSET ? null : size
      return { container, bigEndian, ...fmt, dataOffset: body, dataBytes }
    }
    if (chunkId === 'ds64' || chunkId === 'fmt ') {
      if (size > MAX_SMALL_CHUNK) throw notWav(`its ${chunkId.trim()} chunk is ${size} bytes long`)
      const b = readAt(body, size)
      if (b.byteLength < size) throw notWav(`its ${chunkId.trim()} chunk is cut short`)
      if (chunkId === 'ds64') {
        // riffSize (8 bytes), dataSize (8 bytes), sampleCount (8 bytes), table length, table.
        if (size < 24) throw notWav('its ds64 chunk is too short')
        ds64DataBytes = u64(b, 8)
      } else {
        if (size < 16) throw notWav('its fmt chunk is too short')
        let formatTag = u16(b, 0)
        const bitsPerSample = u16(b, 14)
        let validBits = bitsPerSample
        const extensible = formatTag === WAVE_FORMAT.EXTENSIBLE
        if (extensible) {
          // cbSize (2) at 16, wValidBitsPerSample (2), dwChannelMask (4), SubFormat GUID (16): 40 bytes.
          if (size < 40) throw notWav('its WAVE_FORMAT_EXTENSIBLE fmt chunk is too short')
          validBits = u16(b, 18) || bitsPerSample
          // The GUID's Data1 is a 32-bit number whose low 16 bits are the format tag (KSDATAFORMAT_SUBTYPE_PCM is 00000001-0000-0010-...).
          formatTag = u32(b, 24) & 0xffff
        }
        fmt = { formatTag, extensible, channels: u16(b, 2), rateHz: u32(b, 4), bitsPerSample, validBits }
      }
    }
    // Chunks are padded to an even length (RIFF 1.0); a chunk whose size was never set cannot be skipped.
    if (size === SIZE_UNSET) throw notWav(`its ${chunkId} chunk has no size`)
    position = body + size + (size % 2)
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength)
}

function ascii(b: Uint8Array, at: number): string {
  return b.byteLength < at + 4 ? '' : String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!)
}
