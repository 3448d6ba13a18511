// Interarrival jitter as RFC 3550 section 6.4.1 defines it: the mean deviation of the
// difference in transit time between consecutive packets, smoothed with gain 1/16:
//   D(i-1, i) = (R_i - R_{i-1}) - (S_i - S_{i-1})
//   J = J + (|D| - J) / 16
// R is the arrival time, S the media timestamp, both here in milliseconds. The UDP
// jitter buffer sizes its depth from this; on TCP it is reported so the operator sees
// how steady a rig's path is.

export class JitterEstimator {
  private lastTransitMs: number | undefined
  private jitter = 0

  /** Feeds one packet: when it arrived and its media time, in ms. Returns the estimate. */
  update(arrivalMs: number, mediaMs: number): number {
    const transit = arrivalMs - mediaMs
    if (this.lastTransitMs !== undefined) {
      const d = Math.abs(transit - this.lastTransitMs)
      this.jitter += (d - this.jitter) / 16
    }
    this.lastTransitMs = transit
    return this.jitter
  }

  get jitterMs(): number {
    return this.jitter
  }
}
