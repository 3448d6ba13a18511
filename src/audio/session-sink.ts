// With `join --retry` one sink outlives several sessions: the recording goes on across a
// rejoin. Each session opens and closes this wrapper; the real sink is opened by the first
// and closed only by finish().

import { InvalidStateError } from '../errors.js'
import type { AudioSink, DeviceSinkStats } from './sink.js'
import type { SourceFormat } from './source.js'

export class SessionSink implements AudioSink {
  private format: SourceFormat | undefined
  /** The inner sink's, where it has one (a card): a rejoin finds it resolved. */
  readonly ready?: () => Promise<void>

  constructor(readonly inner: AudioSink) {
    if (inner.ready) this.ready = () => inner.ready!()
  }

  get description(): string {
    return this.inner.description
  }

  open(format: SourceFormat): void {
    if (this.format === undefined) {
      this.format = format
      this.inner.open(format)
      return
    }
    if (format.rateHz !== this.format.rateHz || format.channels !== this.format.channels || format.format !== this.format.format) {
      throw new InvalidStateError(
        'FORMAT_CHANGED',
        `the show's format changed on rejoin; ${this.inner.description} was opened for the old one`,
      )
    }
  }

  get realtime(): boolean {
    return this.inner.realtime ?? false
  }

  /** The due time goes through: a card steers by it (the wrapper must not hide it). */
  write(pcm: Uint8Array, dueMs?: number): void {
    this.inner.write(pcm, dueMs)
  }

  leadMs(packetFrames: number): number {
    return this.inner.leadMs?.(packetFrames) ?? 0
  }

  aheadMs(packetFrames: number, latencyMs: number): number {
    return this.inner.aheadMs?.(packetFrames, latencyMs) ?? 0
  }

  deviceStats(): DeviceSinkStats | undefined {
    return this.inner.deviceStats?.()
  }

  /** A session ended: keep recording for the next. */
  async close(): Promise<void> {}

  finish(): Promise<void> {
    return this.inner.close()
  }
}
