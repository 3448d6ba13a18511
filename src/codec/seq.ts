// Sequence numbers (16 bit) and media timestamps (32 bit) wrap. Compare them only
// through these helpers, as werift-webrtc does with uint16Gt, so wrap bugs live in one place.

export const SEQ_MOD = 0x1_0000

export function seqAdd(a: number, n: number): number {
  return (a + n) & 0xffff
}

/** Signed distance from a to b in [-32768, 32767]: positive when b is after a. */
export function seqDiff(a: number, b: number): number {
  return ((b - a + 0x8000) & 0xffff) - 0x8000
}

export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) > 0
}

export function tsAdd(a: number, n: number): number {
  return (a + n) >>> 0
}

/** Signed distance from a to b for 32-bit timestamps: positive when b is after a. */
export function tsDiff(a: number, b: number): number {
  return (b - a) | 0
}

/**
 * Turns a stream of wrapping 32-bit timestamps into a monotonic JS number, as RTP
 * receivers do: each new value is placed nearest to the last one seen.
 */
export class TimestampUnwrapper {
  private last: number | undefined
  private extended = 0
  unwrap(ts: number): number {
    if (this.last === undefined) {
      this.last = ts
      this.extended = ts
      return ts
    }
    this.extended += tsDiff(this.last, ts)
    this.last = ts
    return this.extended
  }
}

/**
 * Which 16-bit sequence numbers have been seen lately: one mark per number. As the newest
 * number moves on, every mark half the sequence space ahead of it is forgotten, so a
 * number is clear again by the time the sequence wraps round to it, whether or not the
 * packet half a space before it arrived (clearing only the one mark opposite each arrival
 * left a lost packet's opposite marked: on the next wrap that real packet was taken for a
 * copy). Used to drop copies (redundant UDP bundles, network duplicates) and to count each
 * packet once for RFC 3550 loss.
 */
export class SeqWindow {
  private readonly marks = new Uint8Array(SEQ_MOD)
  private newest: number | undefined

  has(seq: number): boolean {
    return this.marks[seq & 0xffff] === 1
  }

  /** Marks seq; true when it was not marked before (the first copy). */
  mark(seq: number): boolean {
    const i = seq & 0xffff
    if (this.marks[i] === 1) return false
    this.marks[i] = 1
    // Forget from just past the previous newest's opposite up to this one's (one mark in order).
    const ahead = this.newest === undefined ? 1 : seqDiff(this.newest, i)
    if (ahead > 0) {
      for (let k = Math.min(ahead, SEQ_MOD / 2) - 1; k >= 0; k--) this.marks[(i - k + SEQ_MOD / 2) & 0xffff] = 0
      this.newest = i
    }
    return true
  }
}
