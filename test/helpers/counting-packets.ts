// Playout tests' audio: mono s16le at 1000 Hz with 10-frame packets, so one packet is
// 10 ms and one frame 1 ms, and frame n holds sample n + 1: silence (0) and misplaced
// audio are both visible in what a sink received.

export const FORMAT = { rateHz: 1000, channels: 1, format: 's16le' as const, framesPerPacket: 10 }

export function packet(firstFrame: number, frames = 10): Uint8Array {
  const b = Buffer.alloc(frames * 2)
  for (let i = 0; i < frames; i++) b.writeInt16LE(firstFrame + i + 1, i * 2)
  return b
}

export const samples = (b: Buffer): number[] => Array.from({ length: b.length / 2 }, (_, i) => b.readInt16LE(i * 2))
