// The rig's jitter buffer: AUDIO packets kept in show order, by media timestamp, in a
// fixed ring of slots allocated once. A function of what it is fed: it reads no clock and
// sets no timer; the playout (src/audio/playout.ts) says which frames are due and takes
// them from the read position, concealing where this buffer has a gap.
// - Reordering: a packet is placed by its timestamp; in-order arrival (the usual case) is
//   an append, a reordered one moves the few slots after it.
// - Duplicates: a packet whose timestamp is queued, or was played from its first frame
//   lately, is a copy (the network duplicated it) and is dropped. By timestamp, not by
//   sequence number: the MTU segments of one packet share its number (src/codec/datagrams.ts).
// - Late and lost are different things: a packet that comes after its frames were played
//   is late (counted; what is still ahead of the read position is used); one that never
//   comes is lost, counted from the sequence numbers as RFC 3550 does (loss-counter.ts).
// - Bounded: at most `capacityFrames` frames and the ring's slots; beyond that the oldest
//   packet goes (counted late), so a sender running fast cannot grow memory.

import { TimestampUnwrapper } from '../codec/seq.js'
import { LossCounter } from './loss-counter.js'

/** What push() did with a packet. */
export type PushResult = 'queued' | 'duplicate' | 'late'

export interface JitterCounts {
  packetsReceived: number
  framesReceived: number
  /** Came after their frames were played (or pushed out of a full buffer). */
  packetsLate: number
  /** Copies of packets already received: dropped. */
  packetsDuplicate: number
}

export interface JitterBufferOptions {
  frameBytes: number
  /** The most frames held at once. */
  capacityFrames: number
  /** Ring slots (packets held at once); the default fits capacityFrames of `framesPerSlot`-frame packets twice over. */
  slots?: number
  /** The smallest whole packet expected, for the default slot count. */
  framesPerSlot?: number
  /**
   * How far before the first packet an INIT position may start the read position (frames):
   * audio that overtook a retransmitted INIT was dropped, and its head is concealed.
   */
  maxHeadFrames: number
}

/** How many recently played packet positions are remembered to tell a duplicate from a late packet. */
const RECENT_PLAYED = 64

export class JitterBuffer {
  readonly counts: JitterCounts = { packetsReceived: 0, framesReceived: 0, packetsLate: 0, packetsDuplicate: 0 }
  readonly loss = new LossCounter()
  /** Ring slots; the ring holds at most `capacity` packets. */
  readonly capacity: number
  private readonly slotPos: Float64Array
  private readonly slotFrames: Int32Array
  private readonly slotPcm: (Uint8Array | undefined)[]
  private first = 0
  private count = 0
  private queuedFrames = 0
  private readonly unwrapper = new TimestampUnwrapper()
  private readonly recentPlayed = new Float64Array(RECENT_PLAYED).fill(-1)
  private recentAt = 0
  private initPos: number | undefined
  private position = 0
  private begun = false
  private last = 0

  constructor(private readonly o: JitterBufferOptions) {
    const perSlot = Math.max(1, o.framesPerSlot ?? 1)
    this.capacity = Math.max(2, o.slots ?? 2 * Math.ceil(o.capacityFrames / perSlot) + 1)
    // One slot spare: a packet is placed first and the oldest dropped after, whichever it is.
    this.slotPos = new Float64Array(this.capacity + 1)
    this.slotFrames = new Int32Array(this.capacity + 1)
    this.slotPcm = new Array<Uint8Array | undefined>(this.capacity + 1).fill(undefined)
  }

  /** The show position (unwrapped frames) of the next frame to play. */
  get readPos(): number {
    return this.position
  }

  /** The first packet has been queued: the read position is set. */
  get started(): boolean {
    return this.begun
  }

  /** The unwrapped position of the last packet pushed. */
  get lastPos(): number {
    return this.last
  }

  /** Packets held. */
  get size(): number {
    return this.count
  }

  /** Frames held that are still to play (a partly played packet counts its rest). */
  get bufferedFrames(): number {
    if (this.count === 0) return 0
    const head = this.slotPos[this.first]!
    return this.queuedFrames - (head < this.position ? this.position - head : 0)
  }

  /** Places a 32-bit media timestamp in the unwrapped show timeline. */
  unwrap(timestamp: number): number {
    return this.unwrapper.unwrap(timestamp)
  }

  /** INIT's position (a 32-bit timestamp): where the stream starts, if the first packet is close after it. */
  startAt(timestamp: number): void {
    if (!this.begun) this.initPos = this.unwrap(timestamp)
  }

  /** Takes one AUDIO packet: its sequence number, 32-bit timestamp and PCM of at least one frame (kept as a view, not copied). */
  push(seq: number, timestamp: number, pcm: Uint8Array): PushResult {
    const frames = Math.floor(pcm.byteLength / this.o.frameBytes)
    const pos = this.unwrap(timestamp)
    this.last = pos
    if (this.isDuplicate(pos)) {
      this.counts.packetsDuplicate++
      return 'duplicate'
    }
    this.counts.packetsReceived++
    this.counts.framesReceived += frames
    this.loss.count(seq)
    if (!this.begun) {
      this.begun = true
      const init = this.initPos
      this.position = init !== undefined && pos > init && pos - init <= this.o.maxHeadFrames ? init : pos
    }
    if (pos < this.position) {
      // Some or all of its frames were played already: late. What is still ahead is used.
      this.counts.packetsLate++
      if (pos + frames <= this.position) return 'late'
    }
    this.insert(pos, frames, pcm)
    while ((this.queuedFrames > this.o.capacityFrames || this.count > this.capacity) && this.count > 1) {
      this.dropHead()
      this.counts.packetsLate++
    }
    return 'queued'
  }

  /** The oldest packet lies wholly before the read position (overlapping timestamps): dropped, counted late. */
  dropStaleHead(): boolean {
    if (this.count === 0 || this.slotPos[this.first]! + this.slotFrames[this.first]! > this.position) return false
    this.dropHead()
    this.counts.packetsLate++
    return true
  }

  /** Frames from the read position to the oldest packet: 0 when it is there, a gap when positive. */
  framesUntilHead(): number {
    return this.count === 0 ? 0 : Math.max(0, this.slotPos[this.first]! - this.position)
  }

  /** The oldest packet's PCM (what follows a gap, for concealment to lead into). */
  headPcm(): Uint8Array | undefined {
    return this.count === 0 ? undefined : this.slotPcm[this.first]
  }

  /**
   * Up to `maxFrames` frames from the oldest packet, which must be at the read position
   * (framesUntilHead() === 0). A whole packet is returned as it came, not as a new view.
   */
  read(maxFrames: number): Uint8Array {
    const i = this.first
    const pcm = this.slotPcm[i]!
    const frames = this.slotFrames[i]!
    const from = this.position - this.slotPos[i]!
    const n = Math.min(frames - from, maxFrames)
    const fb = this.o.frameBytes
    const chunk = from === 0 && n === frames ? pcm : pcm.subarray(from * fb, (from + n) * fb)
    if (from === 0) {
      this.recentPlayed[this.recentAt] = this.slotPos[i]!
      this.recentAt = (this.recentAt + 1) % RECENT_PLAYED
    }
    this.position += n
    if (from + n === frames) this.dropHead()
    return chunk
  }

  /** Moves the read position past `frames` frames that were concealed. */
  passConcealed(frames: number): void {
    this.position += frames
  }

  /**
   * Moves the read position back to `pos`, with nothing queued: the show clock moved later
   * (the source stopped and came back, its timeline re-anchored), so what was concealed
   * ahead of it is to be played again from the audio now arriving. False if anything is
   * queued or `pos` is not behind the read position.
   */
  rewind(pos: number): boolean {
    if (this.count > 0 || pos >= this.position) return false
    this.position = pos
    return true
  }

  /** A copy of a packet that is queued, or was played from real audio recently. */
  private isDuplicate(pos: number): boolean {
    // The ring is in timestamp order: a queued copy sits where the packet would go.
    for (let k = this.count - 1; k >= 0; k--) {
      const at = this.slotPos[this.slot(k)]!
      if (at === pos) return true
      if (at < pos) break
    }
    if (pos >= this.position) return false
    return this.recentPlayed.includes(pos)
  }

  private insert(pos: number, frames: number, pcm: Uint8Array): void {
    // From the newest back to the first packet that is earlier; later ones move up a slot.
    let k = this.count
    while (k > 0 && this.slotPos[this.slot(k - 1)]! > pos) {
      const from = this.slot(k - 1)
      const to = this.slot(k)
      this.slotPos[to] = this.slotPos[from]!
      this.slotFrames[to] = this.slotFrames[from]!
      this.slotPcm[to] = this.slotPcm[from]
      k--
    }
    const at = this.slot(k)
    this.slotPos[at] = pos
    this.slotFrames[at] = frames
    this.slotPcm[at] = pcm
    this.count++
    this.queuedFrames += frames
  }

  private dropHead(): void {
    const i = this.first
    this.queuedFrames -= this.slotFrames[i]!
    this.slotPcm[i] = undefined // the PCM is the network's buffer: let it go
    this.first = (i + 1) % this.slotPos.length
    this.count--
  }

  /** The ring index of the k-th oldest packet. */
  private slot(k: number): number {
    return (this.first + k) % this.slotPos.length
  }
}
