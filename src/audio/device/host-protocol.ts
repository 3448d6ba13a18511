// Framing between Synchro and its device host (device/host.ts): [kind u8][length u32le][payload].
// PCM goes as it is; everything else is a UTF-8 JSON or text payload.

export enum HostMsg {
  /** parent -> host: PCM for the card. host -> parent: PCM the card captured. */
  Pcm = 1,
  /** host -> parent: the card took one written chunk; payload: when, f64le ms of the system's monotonic clock (hrtimeMs). */
  Taken = 2,
  /** parent -> host: start the stream. */
  Start = 3,
  /** parent -> host: drain and close, then exit. */
  Quit = 4,
  /** host -> parent: the stream failed (text). */
  Error = 5,
  /** parent -> standby host: open this stream (JSON: { mode, options }). */
  Open = 6,
  /** host -> parent: the stream is open and started. */
  Started = 7,
  /**
   * parent -> host: PCM for the card, to be written to PortAudio not before a time: f64le ms
   * of the system's monotonic clock (hrtimeMs), then the PCM. In order with Pcm (timed-writes.ts).
   */
  PcmAt = 8,
}

export function encodeHostMsg(kind: HostMsg, payload: Uint8Array = new Uint8Array(0)): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.byteLength)
  out[0] = kind
  out.writeUInt32LE(payload.byteLength, 1)
  out.set(payload, 5)
  return out
}

/** Splits a byte stream into messages; keeps a partial one for the next chunk. */
export class HostMsgReader {
  private pending: Buffer = Buffer.alloc(0)

  constructor(private readonly onMsg: (kind: HostMsg, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.byteLength ? Buffer.concat([this.pending, chunk]) : chunk
    let at = 0
    while (this.pending.byteLength - at >= 5) {
      const len = this.pending.readUInt32LE(at + 1)
      if (this.pending.byteLength - at - 5 < len) break
      this.onMsg(this.pending[at] as HostMsg, this.pending.subarray(at + 5, at + 5 + len))
      at += 5 + len
    }
    this.pending = this.pending.subarray(at)
  }
}

/**
 * The system's monotonic clock in ms (libuv's hrtime: CLOCK_MONOTONIC on Linux,
 * mach_absolute_time on macOS, QueryPerformanceCounter on Windows): the same clock in
 * every process, so a time the host stamps means the same in Synchro.
 */
export function hrtimeMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}

export function encodeTakenAt(hrMs: number): Buffer {
  const b = Buffer.allocUnsafe(8)
  b.writeDoubleLE(hrMs, 0)
  return b
}

/** The host's stamp, or undefined from a host that sent none. */
export function decodeTakenAt(payload: Buffer): number | undefined {
  return payload.byteLength >= 8 ? payload.readDoubleLE(0) : undefined
}

export function encodePcmAt(atHrMs: number, pcm: Uint8Array): Buffer {
  const payload = Buffer.allocUnsafe(8 + pcm.byteLength)
  payload.writeDoubleLE(atHrMs, 0)
  payload.set(pcm, 8)
  return encodeHostMsg(HostMsg.PcmAt, payload)
}

/** A PcmAt payload's time and PCM (a view). */
export function decodePcmAt(payload: Buffer): { atHrMs: number; pcm: Buffer } {
  return { atHrMs: payload.readDoubleLE(0), pcm: payload.subarray(8) }
}
