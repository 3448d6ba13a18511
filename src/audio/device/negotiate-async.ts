// Opening a card in the show's format or the nearest one it takes (negotiate.ts), with the
// candidates checked by a device host off the event loop: a rig must go on answering its
// server and playing while the host opens each candidate (~0.3 s, up to 10 s on a stalled
// sound system; issue 13). The same negotiation as openNegotiated, in two passes: the
// first only learns which candidates it would ask about, the host answers them, and the
// second runs on that answer, so the order, the refusals and their lines stay in one place.

import { openNegotiated, type CardFormat, type Negotiated } from './negotiate.js'
import type { SampleFormat } from '../../codec/format.js'
import type { AudioDeviceInfo } from './portaudio.js'

type ProbeAnswer = { index: number; errors: string[] }

/** Thrown by the first pass's probe, to stop it once it has said what it would ask. */
const ASKED = Symbol('asked')

export async function openNegotiatedAsync<S>(
  open: (card: CardFormat) => S,
  show: CardFormat,
  device: AudioDeviceInfo,
  direction: 'input' | 'output',
  bitExact: boolean,
  probe: (cards: CardFormat[]) => Promise<ProbeAnswer>,
  /** The card's own sample formats, where known (openNegotiated's `native`). */
  native?: readonly SampleFormat[],
): Promise<Negotiated<S>> {
  let asked: CardFormat[] = []
  try {
    openNegotiated(
      open,
      show,
      device,
      direction,
      bitExact,
      (cards) => {
        asked = cards
        throw ASKED
      },
      native,
    )
  } catch (err) {
    if (err !== ASKED) throw err
  }
  const answer = await probe(asked)
  return openNegotiated(open, show, device, direction, bitExact, () => answer, native)
}
