// Float samples <-> PCM bytes in each format (generated sources, loss concealment).

import type { SampleFormat } from './format.js'

export function writeSample(view: DataView, byteOffset: number, format: SampleFormat, value: number): void {
  const v = Math.max(-1, Math.min(1, value))
  switch (format) {
    case 's16le':
      view.setInt16(byteOffset, Math.round(v * 32767), true)
      return
    case 's24le': {
      const i = Math.round(v * 8388607)
      view.setUint8(byteOffset, i & 0xff)
      view.setUint8(byteOffset + 1, (i >> 8) & 0xff)
      view.setUint8(byteOffset + 2, (i >> 16) & 0xff)
      return
    }
    case 'f32le':
      view.setFloat32(byteOffset, v, true)
  }
}

/** Reads one sample as a float in [-1, 1). */
export function readSample(view: DataView, byteOffset: number, format: SampleFormat): number {
  switch (format) {
    case 's16le':
      return view.getInt16(byteOffset, true) / 32768
    case 's24le': {
      const u = view.getUint8(byteOffset) | (view.getUint8(byteOffset + 1) << 8) | (view.getUint8(byteOffset + 2) << 16)
      return ((u << 8) >> 8) / 8388608
    }
    case 'f32le':
      return view.getFloat32(byteOffset, true)
  }
}
