// A rig's sync state as the server shows it: the view from its REPORT and the show's
// latency, and the words `status` and the stats line use.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { SyncReport } from '../../src/codec/messages.js'
import { describeSync, keepsShowTime, msText, outOfStepCause, showLatencyOf, signedMsText, syncView } from '../../src/session/sync-view.js'

const IN_TIME: SyncReport = { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0 }

test("the show's latency: serve --latency, else the default a rig falls back to", () => {
  assert.is(showLatencyOf(5), 5)
  assert.is(showLatencyOf(0), 0)
  assert.is(showLatencyOf(undefined), 20)
})

test('the view: the report as it came, and how far it plays from the show, to 0.01 ms', () => {
  assert.is(syncView(null, 20), null)
  assert.is(syncView(undefined, 20), null)
  assert.equal(syncView(IN_TIME, 20), { ...IN_TIME, outOfStepMs: 0 })
  assert.is(syncView({ ...IN_TIME, latencyMs: 25 }, 20)!.outOfStepMs, 5, 'its own join --latency: 5 ms behind')
  assert.is(syncView({ ...IN_TIME, latencyMs: 2 }, 20)!.outOfStepMs, -18, 'a shorter one: ahead')
  assert.is(syncView({ ...IN_TIME, offsetMs: -1.5 }, 20)!.outOfStepMs, -1.5, 'join --offset')
  assert.is(syncView({ ...IN_TIME, latencyMs: 20.1, offsetMs: 0.2 }, 20)!.outOfStepMs, 0.3, 'no 0.30000000000000071')
  assert.is(syncView({ ...IN_TIME, latencyMs: 25, offsetMs: -5 }, 20)!.outOfStepMs, 0, 'the two cancel: in step')
})

test('keeping the show time: in time and in step, nothing less', () => {
  assert.ok(keepsShowTime(syncView(IN_TIME, 20)))
  assert.not.ok(keepsShowTime(null))
  assert.not.ok(keepsShowTime(syncView({ ...IN_TIME, latencyMs: 25 }, 20)))
  assert.not.ok(keepsShowTime(syncView({ ...IN_TIME, state: 'late', lateMs: 1 }, 20)))
  assert.not.ok(keepsShowTime(syncView({ ...IN_TIME, state: 'no-clock', errorMs: null }, 20)))
})

test('figures in ms: one decimal, none when whole, two under 1 ms; signed where the direction matters', () => {
  assert.equal(
    [msText(3), msText(3.24), msText(3.25), msText(120), msText(0.04), msText(0.004), msText(-0.25)],
    ['3', '3.2', '3.3', '120', '0.04', '0', '-0.25'],
  )
  assert.equal([signedMsText(5), signedMsText(-2.5), signedMsText(0)], ['+5', '-2.5', '0'])
})

const WORDS: Array<[string, SyncReport | null, number, string]> = [
  ['no report yet', null, 20, 'no sync report yet'],
  ['no clock', { ...IN_TIME, state: 'no-clock', errorMs: null }, 20, 'no clock yet'],
  ['no clock, even out of step: it is on no schedule yet', { ...IN_TIME, state: 'no-clock', latencyMs: 40 }, 20, 'no clock yet'],
  ['in time', IN_TIME, 20, 'in time'],
  ['late', { ...IN_TIME, state: 'late', lateMs: 3.21 }, 20, 'late by 3.2 ms'],
  ['its own latency', { ...IN_TIME, latencyMs: 25 }, 20, 'out of step by +5 ms (own latency 25 ms)'],
  ['an offset', { ...IN_TIME, offsetMs: -1.5 }, 20, 'out of step by -1.5 ms (offset -1.5 ms)'],
  ['both', { ...IN_TIME, latencyMs: 10, offsetMs: 3 }, 20, 'out of step by -7 ms (own latency 10 ms, offset +3 ms)'],
  [
    'late and out of step',
    { ...IN_TIME, state: 'late', lateMs: 2, latencyMs: 2 },
    5,
    'late by 2 ms, out of step by -3 ms (own latency 2 ms)',
  ],
  ['own latency and offset cancel', { ...IN_TIME, latencyMs: 25, offsetMs: -5 }, 20, 'in time'],
]
for (const [what, report, showMs, words] of WORDS) {
  test(`in words, ${what}: ${words}`, () => assert.is(describeSync(syncView(report, showMs)), words))
}

test("the cause is read from the view alone: its latency differs from the show's by outOfStepMs − offsetMs", () => {
  assert.is(outOfStepCause(syncView({ ...IN_TIME, latencyMs: 20.3, offsetMs: 0.1 }, 20)!), 'own latency 20.3 ms, offset +0.1 ms')
  assert.is(outOfStepCause(syncView({ ...IN_TIME, offsetMs: 0.1 }, 20)!), 'offset +0.1 ms')
})

test.run()
