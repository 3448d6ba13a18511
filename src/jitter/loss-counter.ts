// Packet loss as RFC 3550 appendix A.1 counts it: packets expected (from the first
// sequence number to the highest seen, extended across the 16-bit wrap) minus packets
// received, so reordering is not loss and a late packet is not lost. Each sequence number
// is counted once (a SeqWindow, the one UDP uses to drop redundant copies): MTU segments
// share their packet's number, and network duplicates must not hide a real loss.
// A.1's probation and "bad sequence" resync are left out: a session has one sender, and a
// jump is loss.

import { SeqWindow, seqDiff } from '../codec/seq.js'

export class LossCounter {
  private firstSeq: number | undefined
  /** The highest sequence number seen, extended: it keeps counting past 65535. */
  private highestSeq = 0
  private uniquePackets = 0
  private readonly seen = new SeqWindow()

  /** One packet arrived with this 16-bit sequence number. */
  count(seq: number): void {
    if (this.firstSeq === undefined) {
      this.firstSeq = seq
      this.highestSeq = seq
    }
    if (this.seen.mark(seq)) this.uniquePackets++
    const ahead = seqDiff(this.highestSeq & 0xffff, seq)
    if (ahead > 0) this.highestSeq += ahead
  }

  /** Packets the sequence numbers say were sent, from the first received to the highest. */
  get expected(): number {
    return this.firstSeq === undefined ? 0 : this.highestSeq - this.firstSeq + 1
  }

  /** Expected minus received, never below zero (duplicates are not counted twice). */
  get lost(): number {
    return Math.max(0, this.expected - this.uniquePackets)
  }
}
