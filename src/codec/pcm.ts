// PCM samples read and written in one place. The integer helpers (readS16/writeS16,
// readS24/writeS24) are the only code that knows the byte layout; each caller keeps its own
// float scaling on top of them, on purpose: readSample/writeSample below (generated sources,
// loss concealment, levels) scale by 2^15 - 1 / 2^23 - 1 when writing, while
// audio/sample-format.ts scales by 2^15 / 2^23 both ways and clips, so a card's s16 or s24
// goes through float and back bit for bit.

import type { SampleFormat } from './format.js'

/** The s16le sample at byte `at`: -32768..32767. */
export function readS16(view: DataView, at: number): number {
  return view.getInt16(at, true)
}

/** Writes an integer as s16le; a value outside -32768..32767 wraps (callers scale and clip first). */
export function writeS16(view: DataView, at: number, value: number): void {
  view.setInt16(at, value, true)
}

/** The s24le sample at byte `at`, sign-extended from bit 23: -8388608..8388607. */
export function readS24(view: DataView, at: number): number {
  return ((view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getUint8(at + 2) << 16)) << 8) >> 8
}

/** Writes the low 24 bits of an integer as s24le; a value outside -8388608..8388607 wraps (callers scale and clip first). */
export function writeS24(view: DataView, at: number, value: number): void {
  view.setUint8(at, value & 0xff)
  view.setUint8(at + 1, (value >> 8) & 0xff)
  view.setUint8(at + 2, (value >> 16) & 0xff)
}

export function writeSample(view: DataView, byteOffset: number, format: SampleFormat, value: number): void {
  const v = Math.max(-1, Math.min(1, value))
  switch (format) {
    case 's16le':
      return writeS16(view, byteOffset, Math.round(v * 32767))
    case 's24le':
      return writeS24(view, byteOffset, Math.round(v * 8388607))
    case 'f32le':
      view.setFloat32(byteOffset, v, true)
  }
}

/** Reads one sample as a float in [-1, 1). */
export function readSample(view: DataView, byteOffset: number, format: SampleFormat): number {
  switch (format) {
    case 's16le':
      return readS16(view, byteOffset) / 32768
    case 's24le':
      return readS24(view, byteOffset) / 8388608
    case 'f32le':
      return view.getFloat32(byteOffset, true)
  }
}
