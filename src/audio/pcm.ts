// Writing float samples into PCM buffers of each format (for generated sources).

import type { SampleFormat } from '../codec/format.js'

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
