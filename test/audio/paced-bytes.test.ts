// PCM held in memory, sent at real-time pace: packets are views of the bytes, due at
// start + k periods, the last one short, whole frames only, then end().
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { paceBytes } from '../../src/audio/paced-bytes.js'
import type { AudioFormat } from '../../src/codec/format.js'
import { ManualClock } from '../helpers/manual-clock.js'

const show: AudioFormat = { rateHz: 1000, channels: 1, format: 's16le', framesPerPacket: 10 } // 10 ms, 20-byte packets

test('views of the bytes, one per 10 ms, the last short, a trailing partial frame left out, then end', async () => {
  const clock = new ManualClock()
  const bytes = Uint8Array.from({ length: 51 }, (_, i) => i) // 25 frames and one stray byte
  const sent: Array<{ atMs: number; p: Uint8Array }> = []
  let endedAt: number | undefined
  paceBytes(clock, show, bytes, {
    packet: (p) => sent.push({ atMs: clock.now(), p }),
    end: (err) => (assert.is(err, undefined), (endedAt = clock.now())),
  })
  await clock.advance(100)
  assert.equal(
    sent.map((s) => s.atMs),
    [0, 10, 20],
  )
  assert.equal(
    sent.map((s) => s.p.byteLength),
    [20, 20, 10],
  )
  assert.ok(
    sent.every((s) => s.p.buffer === bytes.buffer),
    'views, not copies',
  )
  assert.equal(
    Array.from(sent[2]!.p),
    Array.from({ length: 10 }, (_, i) => 40 + i),
  )
  assert.is(endedAt, 30, 'the end is due when the next packet would be')
})

test('stopping the pacer stops the packets', async () => {
  const clock = new ManualClock()
  let n = 0
  const pacer = paceBytes(clock, show, new Uint8Array(2000), { packet: () => n++, end: () => assert.unreachable('stopped before the end') })
  await clock.advance(25)
  pacer.stop()
  await clock.advance(1000)
  assert.is(n, 3)
})

test.run()
