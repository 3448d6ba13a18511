// When a capture card counts as lost: a slow start is not a lost card. Three stages per
// opened stream, each with its own deadline (docs/DEVICES.md, Faults):
// - opening: the device host has not said the stream runs yet (it loads PortAudio, opens
//   the card, JACK activates the client). On a loaded 2-core machine that took up to 3.9 s
//   (issue 13); the host's own probe gives up at 10 s. OPEN_MS.
// - started, nothing yet: the card runs and owes its first buffer, one period away on a
//   healthy card. FIRST_DATA_MS.
// - delivering: a card that stops delivering for SILENT_MS is lost (unplugged, a stalled
//   driver). Measured from its last buffer.
// Nothing is judged before the show streams (INIT): before it nothing is sent either.
// Pure: fed what happened and when; the source does the timers.

/** From opening to the host's 'started': past this the card is taken for lost. */
export const OPEN_MS = 10_000
/** From 'started' to the first buffer. */
export const FIRST_DATA_MS = 2000
/** From the last buffer, once the card has delivered. */
export const SILENT_MS = 1000

export class CaptureWatchdog {
  private openedMs = 0
  private startedMs: number | undefined
  private lastDataMs: number | undefined
  private streamingMs: number | undefined

  /** A stream was opened (or reopened): it starts over at `opening`. */
  opened(nowMs: number): void {
    this.openedMs = nowMs
    this.startedMs = undefined
    this.lastDataMs = undefined
  }

  /** The host says the stream runs. */
  started(nowMs: number): void {
    this.startedMs ??= nowMs
  }

  /** The card delivered a buffer. */
  data(nowMs: number): void {
    this.lastDataMs = nowMs
  }

  /** The show streams from now on (INIT): the deadlines count from here at the earliest. */
  streaming(nowMs: number): void {
    this.streamingMs ??= nowMs
  }

  /** When the card last showed life (its last buffer, or its start or opening before the first): silence fills from here. */
  get lastLifeMs(): number {
    return Math.max(this.lastDataMs ?? this.startedMs ?? this.openedMs, this.streamingMs ?? 0)
  }

  /** Why the card is lost at `nowMs` (a sentence's end: "delivered nothing for 1000 ms ..."), or null while it is not. */
  verdict(nowMs: number): string | null {
    if (this.streamingMs === undefined) return null
    const since = (ms: number): number => nowMs - Math.max(ms, this.streamingMs!)
    if (this.lastDataMs !== undefined)
      return since(this.lastDataMs) > SILENT_MS ? `delivered nothing for ${SILENT_MS} ms (unplugged, or its driver stalled)` : null
    if (this.startedMs !== undefined)
      return since(this.startedMs) > FIRST_DATA_MS ? `started but delivered nothing in ${FIRST_DATA_MS} ms` : null
    return since(this.openedMs) > OPEN_MS ? `did not start in ${OPEN_MS / 1000} s` : null
  }
}
