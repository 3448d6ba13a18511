import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { SeqWindow, seqAdd, seqDiff, seqLess, TimestampUnwrapper, tsAdd, tsDiff } from '../../src/codec/seq.js'

test('sequence numbers wrap 65535 -> 0', () => {
  assert.is(seqAdd(65535, 1), 0)
  assert.is(seqDiff(65535, 0), 1)
  assert.is(seqDiff(0, 65535), -1)
  assert.ok(seqLess(65535, 0))
  assert.not.ok(seqLess(0, 65535))
  assert.is(seqDiff(100, 100), 0)
})

test('property: seqDiff undoes seqAdd for distances under half the space', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: -32768, max: 32767 }), (a, n) => {
      assert.is(seqDiff(a, seqAdd(a, n)), n)
    }),
  )
})

test('timestamps wrap at 2^32 and unwrap to a monotonic count', () => {
  assert.is(tsAdd(0xffffff00, 0x200), 0x100)
  assert.is(tsDiff(0xffffff00, 0x100), 0x200)
  const u = new TimestampUnwrapper()
  assert.is(u.unwrap(0xffffff00), 0xffffff00)
  assert.is(u.unwrap(0x100), 0x100000100)
  assert.is(u.unwrap(0xfffffff0), 0xfffffff0) // a late packet from before the wrap
})

test.run()

test('SeqWindow: the first copy marks, later copies do not, and a number is clear again once the sequence wraps round to it', () => {
  const w = new SeqWindow()
  assert.ok(w.mark(65535))
  assert.not.ok(w.mark(65535))
  assert.ok(w.has(65535))
  assert.ok(w.mark(0))
  // Marking half a space further on forgets 0, so it counts again when the sequence wraps round to it.
  for (let s = 1; s < 32768; s++) w.mark(s)
  assert.ok(w.has(0))
  w.mark(32768)
  assert.not.ok(w.has(0))
  assert.ok(w.mark(0))
})

test('SeqWindow counts every number once across a wrap, in any order within half the space', () => {
  const w = new SeqWindow()
  let firsts = 0
  const order = [65530, 65533, 65531, 2, 65534, 65535, 0, 1, 65532, 2, 0]
  for (const s of order) if (w.mark(s)) firsts++
  assert.is(firsts, 9)
})

test('SeqWindow: a lost packet does not leave the number half a space before it marked for the next wrap', () => {
  const w = new SeqWindow()
  // One packet lost (33000) in the first cycle: 232, opposite it, must still be clear when the sequence comes round.
  for (let s = 0; s < 65536; s++) if (s !== 33000) w.mark(s)
  assert.ok(w.mark(232), 'the next 232 is a new packet, not a copy')
  const lossy = new SeqWindow()
  let firsts = 0
  for (let i = 0; i < 300_000; i++) if (i % 1000 !== 7 && lossy.mark(i & 0xffff)) firsts++
  assert.is(firsts, 300_000 - 300, 'every packet that came counted once, across four wraps with loss')
})

test('SeqWindow: a jump ahead (a burst lost) forgets the whole stretch opposite it', () => {
  const w = new SeqWindow()
  for (let s = 0; s <= 40000; s++) w.mark(s)
  assert.ok(w.has(7233))
  w.mark(40500) // 40001..40499 lost: their opposites 7233..7731, and 40500's own (7732), are forgotten
  for (let s = 7233; s <= 7732; s++) assert.not.ok(w.has(s), `${s} forgotten`)
  assert.ok(w.has(7733))
  assert.ok(w.has(40000))
})
