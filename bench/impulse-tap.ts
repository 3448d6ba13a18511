// The impulse train of the skew bench (bench/skew.mjs) and the tap that finds its impulses
// in a rig's output. Each impulse is one sample on the left channel whose value names it
// (IMPULSE_BASE + its index), so two rigs' copies are matched by value, not by order: a rig
// that loses one, or conceals a copy of one after it, still pairs every other impulse right.

/** 48 kHz stereo s16le: the format of the bench's shows, Synchro's and Snapcast's. */
export const BENCH_RATE_HZ = 48_000
export const BENCH_CHANNELS = 2
const BYTES_PER_SAMPLE = 2

/** Impulse values start here: well above anything dither or rounding could make of silence. */
export const IMPULSE_BASE = 0x4000
/** 16,383 impulses fit below 0x7fff: 54 minutes at one every 200 ms. */
export const MAX_IMPULSES = 0x7fff - IMPULSE_BASE

export function impulseValue(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_IMPULSES) throw new RangeError(`impulse index ${index} out of range`)
  return IMPULSE_BASE + index
}

/** The impulse a sample value names, or undefined for silence and anything else. */
export function impulseIndex(value: number): number | undefined {
  return value >= IMPULSE_BASE && value < IMPULSE_BASE + MAX_IMPULSES ? value - IMPULSE_BASE : undefined
}

/**
 * The train's packets: `framesPerPacket` frames each, silence except every
 * `packetsPerImpulse`th packet, whose first frame's left sample is the next impulse.
 * The silent packet is one buffer reused for every write.
 */
export class ImpulseTrain {
  /** A silent packet: the train's, and the tail's after it. */
  readonly silence: Buffer

  constructor(
    readonly framesPerPacket: number,
    readonly packetsPerImpulse: number,
  ) {
    this.silence = Buffer.alloc(framesPerPacket * BENCH_CHANNELS * BYTES_PER_SAMPLE)
  }

  /** Which impulse packet k carries, or undefined for a silent one. */
  impulseAt(k: number): number | undefined {
    return k % this.packetsPerImpulse === 0 ? k / this.packetsPerImpulse : undefined
  }

  packet(k: number): Buffer {
    const index = this.impulseAt(k)
    if (index === undefined) return this.silence
    const p = Buffer.alloc(this.silence.length)
    p.writeInt16LE(impulseValue(index), 0)
    return p
  }
}

/**
 * A read that comes this soon after the previous one, while the previous write would still
 * be playing, is the rest of that write: the kernel hands a reader a big pipe write (a
 * snapclient's 9,600 bytes) in parts microseconds apart. Separate writes of a paced writer
 * (a rig's, about 1 ms apart) come further apart than this.
 */
export const CONTINUATION_GAP_MS = 0.5

/**
 * Reads one output's byte stream (s16le, interleaved) as it arrives and keeps, for each
 * impulse, the first time it was seen: the arrival of the write that carries it plus its
 * frame's offset in that write at the sample rate, so an impulse deep in a long write (a
 * snapclient writes 50 ms at once) is timed as a card playing that write from its arrival
 * would play it. A writer whose writes all have one known size (`writeBytes`: a
 * snapclient's file player writes 50 ms per request) has its writes cut from the stream at
 * that size, each timed by the read that brought its first byte, however late its rest
 * comes. Otherwise a write is a read, with the reads that continue it (CONTINUATION_GAP_MS).
 * Reads may split a sample or a frame anywhere.
 */
export class ImpulseTap {
  /** Impulse index -> ms (the caller's clock) it left the output. */
  readonly seenMs = new Map<number, number>()
  /** Bytes read so far. */
  bytes = 0
  /** Reads that continued the write before them rather than starting one. */
  continuations = 0
  /** The low byte of a left sample whose high byte is in the next read. */
  private lowByte = 0
  /** The write being read: when it arrived and where in the stream it starts. */
  private writeStartMs = Number.NEGATIVE_INFINITY
  private writeStartByte = 0
  private lastArrivalMs = Number.NEGATIVE_INFINITY
  private readonly frameBytes: number

  private readonly rateHz: number
  private readonly writeBytes: number | undefined

  constructor({
    channels = BENCH_CHANNELS,
    rateHz = BENCH_RATE_HZ,
    writeBytes,
  }: { channels?: number; rateHz?: number; writeBytes?: number } = {}) {
    this.frameBytes = channels * BYTES_PER_SAMPLE
    this.rateHz = rateHz
    this.writeBytes = writeBytes
  }

  push(chunk: Uint8Array, arrivalMs: number): void {
    const frameBytes = this.frameBytes
    const start = this.bytes
    if (this.writeBytes === undefined) {
      const writeEndMs = this.writeStartMs + ((start - this.writeStartByte) / frameBytes / this.rateHz) * 1000
      if (arrivalMs - this.lastArrivalMs <= CONTINUATION_GAP_MS && arrivalMs < writeEndMs) this.continuations++
      else {
        this.writeStartMs = arrivalMs
        this.writeStartByte = start
      }
      this.lastArrivalMs = arrivalMs
    }
    for (let i = 0; i < chunk.length; i++) {
      const at = (start + i) % frameBytes
      if (at === 0) this.lowByte = chunk[i]!
      else if (at === 1) {
        const raw = (chunk[i]! << 8) | this.lowByte
        if (raw !== 0) this.sample(raw >= 0x8000 ? raw - 0x10000 : raw, start + i - 1, arrivalMs, start)
      }
    }
    this.bytes += chunk.length
    if (this.writeBytes !== undefined) this.lastWrite(start, arrivalMs)
  }

  /** Fixed-size writes: the last write that began in this read began at its arrival. */
  private lastWrite(start: number, arrivalMs: number): void {
    const size = this.writeBytes!
    const last = this.bytes - 1 - ((this.bytes - 1) % size)
    if (last >= start) {
      this.writeStartByte = last
      this.writeStartMs = arrivalMs
    }
  }

  /** frameByte: where the sample's frame starts in the stream. */
  private sample(value: number, frameByte: number, arrivalMs: number, start: number): void {
    const index = impulseIndex(value)
    if (index === undefined || this.seenMs.has(index)) return
    let [writeByte, writeMs] = [this.writeStartByte, this.writeStartMs]
    if (this.writeBytes !== undefined) {
      // The write this frame is in; if it began in this read, it began at this arrival (the
      // state still holds the previous read's last write).
      writeByte = frameByte - (frameByte % this.writeBytes)
      if (writeByte >= start) writeMs = arrivalMs
    }
    const frameOffset = Math.floor((frameByte - writeByte) / this.frameBytes)
    this.seenMs.set(index, writeMs + (frameOffset * 1000) / this.rateHz)
  }
}
