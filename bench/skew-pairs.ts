// Pairs two outputs' impulses (bench/impulse-tap.ts) into the skew bench's figures: for
// each impulse both outputs played after the settling time, the skew between them and the
// one-way latency of each (written in -> out). Pure, so the figures' arithmetic is tested
// apart from the processes that produce them.

export interface ImpulsePairs {
  /** |tA - tB| per impulse, ms. */
  skewMs: number[]
  /** tB - tA per impulse, ms: positive when B plays later. */
  signedMs: number[]
  latencyAMs: number[]
  latencyBMs: number[]
  /** Impulses written after the settling time that one output or both never played. */
  missed: number
}

/**
 * sentMs[i]: when impulse i was written in (the clock of the taps' times). Impulses written
 * before fromMs are the settling period, left out.
 */
export function pairImpulses(
  sentMs: readonly number[],
  a: ReadonlyMap<number, number>,
  b: ReadonlyMap<number, number>,
  fromMs: number,
): ImpulsePairs {
  const pairs: ImpulsePairs = { skewMs: [], signedMs: [], latencyAMs: [], latencyBMs: [], missed: 0 }
  for (let i = 0; i < sentMs.length; i++) {
    const sent = sentMs[i]!
    if (sent < fromMs) continue
    const tA = a.get(i)
    const tB = b.get(i)
    if (tA === undefined || tB === undefined) {
      pairs.missed++
      continue
    }
    pairs.signedMs.push(tB - tA)
    pairs.skewMs.push(Math.abs(tB - tA))
    pairs.latencyAMs.push(tA - sent)
    pairs.latencyBMs.push(tB - sent)
  }
  return pairs
}
