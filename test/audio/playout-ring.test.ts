// The main thread -> playout thread ring: records in order, across the wrap, a full ring drops (counted) instead of overwriting.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRing, RingReader, RingWriter, type RingRecord } from '../../src/audio/playout-ring.js'

const read = (r: RingReader): RingRecord[] => {
  const out: RingRecord[] = []
  r.drain((x) => out.push(x.kind === 'packet' ? { ...x, pcm: x.pcm.slice() } : x))
  return out
}

test('every kind of record comes out as it went in', () => {
  const b = createRing(4096)
  const w = new RingWriter(b)
  const r = new RingReader(b)
  const before = r.notified
  const pcm = Uint8Array.from({ length: 70001 % 999 }, (_, i) => i & 0xff)
  const records: RingRecord[] = [
    { kind: 'start', timestamp: 0xfffffff0 },
    { kind: 'packet', seq: 65535, timestamp: 12345, pcm },
    { kind: 'lossy', lossy: true },
    { kind: 'schedule', anchorLocalMs: 1234.5678, anchorPos: 4000000000, msPerFrame: 1 / 48 },
    { kind: 'drain', endTimestamp: 77 },
    { kind: 'drain', endTimestamp: undefined },
    { kind: 'stop' },
  ]
  for (const x of records) assert.ok(w.write(x))
  assert.ok(r.pending)
  assert.is(r.notified, before + records.length, 'each write bumps the counter the thread waits on')
  assert.equal(read(r), records)
  assert.not.ok(r.pending)
})

test('packets wrap round the end of the ring; when the reader lags, the writer drops instead of overwriting', () => {
  const b = createRing(1024)
  const w = new RingWriter(b)
  const r = new RingReader(b)
  const pkt = (n: number): RingRecord => ({ kind: 'packet', seq: n, timestamp: n, pcm: new Uint8Array(200).fill(n) })
  const got: number[] = []
  for (let n = 0; n < 50; n++) {
    assert.ok(w.write(pkt(n)), `packet ${n} fits`)
    for (const x of read(r)) if (x.kind === 'packet') got.push(x.pcm.every((v) => v === x.seq) ? x.seq : -1)
  }
  assert.equal(
    got,
    Array.from({ length: 50 }, (_, n) => n),
    'in order, intact, across many wraps',
  )
  let written = 0
  while (w.write(pkt(written))) written++
  assert.ok(written >= 3 && written <= 5, `${written} packets of 216 bytes fit in 1 KiB`)
  assert.is(w.dropped, 1)
  assert.is(read(r).length, written, 'nothing overwritten')
})

test.run()
