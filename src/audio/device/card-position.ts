// When a frame leaves the card: measured from when PortAudio takes each written chunk.
//
// naudiodon2 gives JavaScript no stream time and no DAC time, but its playback path is
// exact enough to infer them (node_modules/naudiodon2/src/PaContext.cc, Chunks.h):
// - PortAudio calls the stream's callback with exactly `framesPerBuffer` frames (B) each
//   time, and the callback fills it from the chunks written, in order, waiting for the next
//   chunk rather than playing silence. So callback m always plays frames [mB, (m+1)B) of
//   what this stream was written: the card's buffer grid is fixed in the written frames.
// - Written chunks wait in a queue of at most QUEUE_CHUNKS (portaudio.ts sets maxQueue).
//   A write whose chunk finds the queue full waits until a callback dequeues the oldest
//   one; its `taken` callback then runs. So when chunk k is taken, chunk k - QUEUE_CHUNKS
//   has just been dequeued by the callback that plays frame G = floor(S/B)·B, S being that
//   chunk's first frame: frame G leaves the DAC at the callback's time plus the output
//   latency (PortAudio's outputBufferDacTime - currentTime).
// The time of `taken` is stamped in the device host (isolated.ts), so a stall of the rig's
// event loop does not move it. Everything that can be wrong makes the estimate late, never
// early: the host's own delay before the callback runs (tens of µs, one thread hop), a
// queue that was not full (the card was further on than assumed), a PortAudio thread woken
// late (the card's buffer held less). So the lowest recent estimates are the truth
// (steering.ts takes the floor, not the median). Measured through JACK's dummy backend
// (128-frame buffer, 128-frame chunks): two chunks taken in one callback are stamped
// 0.04-0.07 ms apart. What is not measured: the output latency itself, which naudiodon2
// does not expose; the device's suggested low latency (what naudiodon2 asks PortAudio
// for) stands in for it. That is a constant: a card's real output delay is set once per
// rig with `join --offset`.
// Pure: fed writes and takes with times; the sink does the I/O.

/** Chunks PortAudio's queue holds (naudiodon2's maxQueue, set in portaudio.ts). */
export const QUEUE_CHUNKS = 4

interface Chunk<S> {
  /** Its first frame's index among the frames written to this stream. */
  start: number
  frames: number
  /** When its first frame should leave the card (the rig's clock), if the rig has a show clock. */
  dueMs: number | undefined
  /** Which corrections it was written after (steering.ts). */
  stamp: S
}

export interface CardMeasurement<S> {
  /** When the chunk's first frame leaves the card minus when it should: + late, - early. */
  errorMs: number
  stamp: S
}

export class CardPosition<S> {
  private readonly chunks: Array<Chunk<S>> = []
  /** Index into `chunks` of the next chunk to be taken. */
  private next = 0
  private writtenFrames = 0

  constructor(
    private readonly o: {
      rateHz: number
      /** The card's buffer (framesPerBuffer), frames. */
      bufferFrames: number
      /** From the callback to the DAC, ms: the device's suggested output latency. */
      outputLatencyMs: number
    },
  ) {}

  /** A chunk of `frames` (card frames) was written. */
  written(frames: number, dueMs: number | undefined, stamp: S): void {
    this.chunks.push({ start: this.writtenFrames, frames, dueMs, stamp })
    this.writtenFrames += frames
  }

  /** Nothing written yet: the card waits, and the first frame written leaves after its output latency. */
  get empty(): boolean {
    return this.writtenFrames === 0
  }

  /**
   * How far into one of the card's buffers the next frame written sits, ms: a callback plays
   * a whole buffer at once, so that frame leaves this long after the buffer's first, at the
   * earliest its output latency plus this from now.
   */
  get bufferOffsetMs(): number {
    return ((this.writtenFrames % this.o.bufferFrames) / this.o.rateHz) * 1000
  }

  /**
   * The oldest chunk not yet taken was taken at `atMs`. The chunk the card is playing then
   * is QUEUE_CHUNKS before it: its measurement, if it has a due time.
   */
  taken(atMs: number): CardMeasurement<S> | undefined {
    const k = this.next++
    const j = k - QUEUE_CHUNKS
    // The first few fill the empty queue without waiting: they say nothing of the card.
    if (j < 0) return undefined
    const playing = this.chunks[j]
    // Nothing older is needed again.
    if (j > 64) {
      this.chunks.splice(0, j)
      this.next -= j
    }
    if (!playing || playing.dueMs === undefined) return undefined
    const B = this.o.bufferFrames
    const bufferStart = Math.floor(playing.start / B) * B
    const leavesMs = atMs + this.o.outputLatencyMs + ((playing.start - bufferStart) / this.o.rateHz) * 1000
    return { errorMs: leavesMs - playing.dueMs, stamp: playing.stamp }
  }
}
