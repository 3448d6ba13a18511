// The one-way channel from a rig's main thread to a media thread of its own (the playout
// worker, or a MIDI output's, src/midi/midi-out-worker.ts): a ring of records in a
// SharedArrayBuffer (single producer, single consumer), so a packet reaches the worker
// without a message-port hop through either thread's event loop, and the worker can sleep
// in Atomics.wait until either its next due time or new input. Records: a 4-byte length, a
// 1-byte kind, then the kind's fields; each padded to 4 bytes. A full ring drops the
// record (the jitter buffer takes a dropped packet for a lost one) and counts it.

export const RING_KIND = { packet: 1, start: 2, lossy: 3, schedule: 4, drain: 5, stop: 6, midi: 7, flush: 8 } as const

export type RingRecord =
  | { kind: 'packet'; seq: number; timestamp: number; pcm: Uint8Array }
  | { kind: 'start'; timestamp: number }
  | { kind: 'lossy'; lossy: boolean }
  | { kind: 'schedule'; anchorLocalMs: number; anchorPos: number; msPerFrame: number }
  | { kind: 'drain'; endTimestamp: number | undefined }
  | { kind: 'stop' }
  /** A MIDI message to write at `atMs` (the main thread's clock). */
  | { kind: 'midi'; atMs: number; data: Uint8Array }
  /** Write every MIDI message handed over so far at once. */
  | { kind: 'flush' }

/** Control words: where the producer has written to, where the consumer has read to, a counter bumped on every write (what the consumer waits on). */
const WRITE = 0
const READ = 1
export const NOTIFY = 2
const CONTROL_WORDS = 4
/** Record header: length (4) + kind (1) + 3 spare, so the fields start aligned. */
const HEAD = 8

export interface RingBuffers {
  control: SharedArrayBuffer
  data: SharedArrayBuffer
}

export function createRing(dataBytes: number): RingBuffers {
  return { control: new SharedArrayBuffer(CONTROL_WORDS * 4), data: new SharedArrayBuffer(dataBytes) }
}

const pad4 = (n: number) => (n + 3) & ~3

function sizeOf(r: RingRecord): number {
  switch (r.kind) {
    case 'packet':
      return HEAD + 8 + r.pcm.byteLength
    case 'midi':
      return HEAD + 8 + r.data.byteLength
    case 'schedule':
      return HEAD + 24
    case 'start':
    case 'lossy':
    case 'drain':
      return HEAD + 8
    case 'stop':
    case 'flush':
      return HEAD
  }
}

export class RingWriter {
  private readonly control: Int32Array
  private readonly bytes: Uint8Array
  private readonly view: DataView
  /** Records dropped because the worker had not read far enough. */
  dropped = 0

  constructor(b: RingBuffers) {
    this.control = new Int32Array(b.control)
    this.bytes = new Uint8Array(b.data)
    this.view = new DataView(b.data)
  }

  /** Writes one record and wakes the worker; false (and counted) when the ring is full. */
  write(r: RingRecord): boolean {
    const cap = this.bytes.byteLength
    const size = pad4(sizeOf(r))
    // Offsets are kept modulo the capacity; the ring is never filled completely, so equal offsets mean empty.
    const w = Atomics.load(this.control, WRITE)
    const rd = Atomics.load(this.control, READ)
    const used = (w - rd + cap) % cap
    // A record that does not fit before the end goes at the start, behind a zero-length marker.
    const skip = w + size > cap ? cap - w : 0
    if (used + skip + size >= cap) {
      this.dropped++
      return false
    }
    if (skip > 0) this.view.setUint32(w, 0)
    const at = skip > 0 ? 0 : w
    this.encode(r, at, size)
    Atomics.store(this.control, WRITE, (at + size) % cap)
    Atomics.add(this.control, NOTIFY, 1)
    Atomics.notify(this.control, NOTIFY)
    return true
  }

  private encode(r: RingRecord, at: number, size: number): void {
    const v = this.view
    v.setUint32(at, size)
    v.setUint8(at + 4, RING_KIND[r.kind])
    const f = at + HEAD
    switch (r.kind) {
      case 'packet':
        v.setUint32(f, r.seq)
        v.setUint32(f + 4, r.timestamp)
        this.bytes.set(r.pcm, f + 8)
        this.setLength(at, r.pcm.byteLength)
        return
      case 'midi':
        v.setFloat64(f, r.atMs)
        this.bytes.set(r.data, f + 8)
        this.setLength(at, r.data.byteLength)
        return
      case 'start':
        v.setUint32(f, r.timestamp)
        return
      case 'lossy':
        v.setUint32(f, r.lossy ? 1 : 0)
        return
      case 'schedule':
        v.setFloat64(f, r.anchorLocalMs)
        v.setUint32(f + 8, r.anchorPos)
        v.setFloat64(f + 16, r.msPerFrame)
        return
      case 'drain':
        v.setUint32(f, r.endTimestamp === undefined ? 0 : 1)
        v.setUint32(f + 4, r.endTimestamp ?? 0)
        return
      case 'stop':
      case 'flush':
        return
    }
  }

  /** The payload's own length (size is padded): 24 bits in the header's spare bytes. */
  private setLength(at: number, length: number): void {
    this.view.setUint16(at + 6, length & 0xffff)
    this.view.setUint8(at + 5, (length >>> 16) & 0xff)
  }
}

export class RingReader {
  readonly control: Int32Array
  private readonly bytes: Uint8Array
  private readonly view: DataView

  constructor(b: RingBuffers) {
    this.control = new Int32Array(b.control)
    this.bytes = new Uint8Array(b.data)
    this.view = new DataView(b.data)
  }

  /** The notify counter as it is now: wait on it changing. */
  get notified(): number {
    return Atomics.load(this.control, NOTIFY)
  }

  get pending(): boolean {
    return Atomics.load(this.control, WRITE) !== Atomics.load(this.control, READ)
  }

  /**
   * Hands every record written so far to `take`, in order. A packet's pcm (a message's data) is a view into
   * the ring, valid only during the call: `take` copies what it keeps.
   */
  drain(take: (r: RingRecord) => void): void {
    const cap = this.bytes.byteLength
    const v = this.view
    for (;;) {
      const w = Atomics.load(this.control, WRITE)
      let at = Atomics.load(this.control, READ)
      if (at === w) return
      // The writer's wrap marker: the record is at the start.
      if (v.getUint32(at) === 0) at = 0
      const size = v.getUint32(at)
      const kind = v.getUint8(at + 4)
      const f = at + HEAD
      const length = (v.getUint8(at + 5) << 16) | v.getUint16(at + 6)
      if (kind === RING_KIND.packet) {
        take({ kind: 'packet', seq: v.getUint32(f), timestamp: v.getUint32(f + 4), pcm: this.bytes.subarray(f + 8, f + 8 + length) })
      } else if (kind === RING_KIND.midi) take({ kind: 'midi', atMs: v.getFloat64(f), data: this.bytes.subarray(f + 8, f + 8 + length) })
      else if (kind === RING_KIND.flush) take({ kind: 'flush' })
      else if (kind === RING_KIND.start) take({ kind: 'start', timestamp: v.getUint32(f) })
      else if (kind === RING_KIND.lossy) take({ kind: 'lossy', lossy: v.getUint32(f) === 1 })
      else if (kind === RING_KIND.schedule)
        take({ kind: 'schedule', anchorLocalMs: v.getFloat64(f), anchorPos: v.getUint32(f + 8), msPerFrame: v.getFloat64(f + 16) })
      else if (kind === RING_KIND.drain) take({ kind: 'drain', endTimestamp: v.getUint32(f) === 1 ? v.getUint32(f + 4) : undefined })
      else if (kind === RING_KIND.stop) take({ kind: 'stop' })
      Atomics.store(this.control, READ, (at + size) % cap)
    }
  }
}
