// One sink across several sessions (join --retry): opened by the first session only, closed
// only by finish(), and a rejoin in another format refused.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SessionSink } from '../../src/audio/session-sink.js'
import { SynchroError } from '../../src/errors.js'
import { thrown } from '../helpers/thrown.js'
import type { AudioSink, DeviceSinkStats } from '../../src/audio/sink.js'
import type { SourceFormat } from '../../src/audio/source.js'

function recorder() {
  const calls: string[] = []
  const written: number[] = []
  const inner: AudioSink = {
    description: 'wav take.wav',
    open: (f) => calls.push(`open ${f.rateHz}/${f.channels}/${f.format}`),
    write: (p) => written.push(...p),
    close: async () => void calls.push('close'),
  }
  return { inner, calls, written }
}

const cd: SourceFormat = { rateHz: 44100, channels: 2, format: 's16le' }

test('the real sink is opened once and closed only by finish; writes go through across sessions', async () => {
  const r = recorder()
  const s = new SessionSink(r.inner)
  assert.is(s.description, 'wav take.wav')
  s.open(cd)
  s.write(Uint8Array.of(1, 2))
  await s.close() // the first session ends
  s.open({ ...cd }) // the rejoin, same format
  s.write(Uint8Array.of(3, 4))
  await s.close()
  assert.equal(r.calls, ['open 44100/2/s16le'])
  await s.finish()
  assert.equal(r.calls, ['open 44100/2/s16le', 'close'])
  assert.equal(r.written, [1, 2, 3, 4])
})

test('a rejoin in another format is refused: FORMAT_CHANGED, naming the sink', () => {
  for (const other of [
    { ...cd, rateHz: 48000 },
    { ...cd, channels: 1 },
    { ...cd, format: 'f32le' as const },
  ]) {
    const s = new SessionSink(recorder().inner)
    s.open(cd)
    const err = thrown(() => s.open(other))
    assert.instance(err, SynchroError)
    assert.is(err.code, 'FORMAT_CHANGED')
    assert.is(err.message, "the show's format changed on rejoin; wav take.wav was opened for the old one")
  }
})

test("a card's due times, lead and real-time nature go through the wrapper", () => {
  const due: Array<number | undefined> = []
  const card = new SessionSink({
    description: 'card',
    open: () => {},
    write: (_p, dueMs) => due.push(dueMs),
    close: async () => {},
    leadMs: () => 21.3,
    realtime: true,
  })
  card.write(Uint8Array.of(1, 2), 1234.5)
  card.write(Uint8Array.of(1, 2))
  assert.equal(due, [1234.5, undefined])
  assert.is(card.leadMs(128), 21.3)
  assert.is(card.realtime, true)
  const file = new SessionSink(recorder().inner)
  assert.is(file.leadMs(128), 0)
  assert.is(file.realtime, false)
})

test("device stats are the inner sink's, or none", () => {
  const stats: DeviceSinkStats = {
    driftPpm: 3,
    framesInserted: 0,
    framesDropped: 0,
    syncErrorMs: 0.04,
    hardResyncs: 0,
    queuedFrames: 128,
    framesSkipped: 0,
    framesPadded: 0,
    conversion: null,
    reopens: 0,
    fault: null,
  }
  const card = new SessionSink({ ...recorder().inner, deviceStats: () => stats })
  assert.is(card.deviceStats(), stats)
  assert.is(new SessionSink(recorder().inner).deviceStats(), undefined)
})

test.run()
