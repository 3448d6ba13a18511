// Audio formats and codec ids. The codec field exists so a compressed codec can be
// added later; today every codec is raw interleaved little-endian PCM.

export const CODEC = {
  none: 0,
  pcm_s16le: 1,
  pcm_s24le: 2,
  pcm_f32le: 3,
} as const

export type SampleFormat = 's16le' | 's24le' | 'f32le'
export const SAMPLE_FORMATS: readonly SampleFormat[] = ['s16le', 's24le', 'f32le']

export interface AudioFormat {
  readonly rateHz: number
  readonly channels: number
  readonly format: SampleFormat
  /** Frames (one sample per channel) carried by each AUDIO message. */
  readonly framesPerPacket: number
}

export function bytesPerSample(format: SampleFormat): number {
  return format === 's16le' ? 2 : format === 's24le' ? 3 : 4
}

export function bytesPerFrame(f: Pick<AudioFormat, 'channels' | 'format'>): number {
  return bytesPerSample(f.format) * f.channels
}

export function codecOf(format: SampleFormat): number {
  return format === 's16le' ? CODEC.pcm_s16le : format === 's24le' ? CODEC.pcm_s24le : CODEC.pcm_f32le
}

export function formatOfCodec(codec: number): SampleFormat | undefined {
  switch (codec) {
    case CODEC.pcm_s16le:
      return 's16le'
    case CODEC.pcm_s24le:
      return 's24le'
    case CODEC.pcm_f32le:
      return 'f32le'
    default:
      return undefined
  }
}

/** How long `frames` play at `rateHz`, in milliseconds (not rounded: a 128-frame packet at 48 kHz is 2.666... ms). */
export function framesToMs(frames: number, rateHz: number): number {
  return (frames * 1000) / rateHz
}

/** The whole number of frames nearest to `ms` milliseconds at `rateHz`. */
export function msToFrames(ms: number, rateHz: number): number {
  return Math.round((ms * rateHz) / 1000)
}

export function describeFormat(f: AudioFormat): string {
  return `${f.rateHz} Hz, ${f.channels} ch, ${f.format}, ${f.framesPerPacket} frames/packet`
}
