// The server machine's REPORT case: a rig's sync state kept, and a `sync` notice when it
// changes (late, back in time, clock found or lost), once per change and never per report.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MSG } from '../../src/codec/header.js'
import type { SyncReport } from '../../src/codec/messages.js'
import type { ServerEffect } from '../../src/session/server-machine.js'
import { checkEvent } from '../../src/session/events.js'
import { ServerDriver, frameFrom, kinds, serverConfig } from '../helpers/session.js'

const HEARD = {
  packetsReceived: 10,
  packetsLost: 0,
  packetsLate: 0,
  packetsRecovered: 0,
  framesConcealed: 0,
  underruns: 0,
  jitterMs: 0.1,
  bufferMs: 2,
  midiReceived: 0,
  midiLost: 0,
}
const NO_CLOCK: SyncReport = { state: 'no-clock', errorMs: null, lateMs: 0, latencyMs: 20, offsetMs: 0 }
const IN_TIME: SyncReport = { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0 }
const LATE: SyncReport = { state: 'late', errorMs: 0.2, lateMs: 3.25, latencyMs: 20, offsetMs: 0 }

const notices = (fx: ServerEffect[]) => fx.flatMap((f) => (f.kind === 'notify' ? [f.notice] : []))

/** A show with rig 'keys' streaming; each call sends one REPORT and returns its notices. */
function show(over: Parameters<typeof serverConfig>[0] = {}) {
  const s = new ServerDriver(serverConfig(over))
  s.join(1, 'keys', 0)
  let now = 0
  const report = (sync: SyncReport | null) => {
    now += 500
    const fx = s.send({ type: 'frame', peer: 1, bytes: frameFrom(MSG.REPORT, { ...HEARD, sync }) }, now)
    assert.ok(
      fx.every((f) => f.kind === 'notify'),
      `a REPORT is answered with notices only, got ${kinds(fx)}`,
    )
    return notices(fx)
  }
  return { s, report }
}

test('a rig reporting no clock, then in time, then late and back: one notice per change, none per report', () => {
  const { s, report } = show({ showLatencyMs: 20 })
  assert.equal(report(NO_CLOCK), [], 'a first report without a clock is no news')
  assert.equal(report(NO_CLOCK), [])
  assert.equal(report(IN_TIME), [{ event: 'sync', name: 'keys', from: 'no-clock', ...IN_TIME, outOfStepMs: 0 }])
  assert.equal(report(IN_TIME), [])
  assert.equal(report(LATE), [{ event: 'sync', name: 'keys', from: 'in-time', ...LATE, outOfStepMs: 0 }])
  assert.equal(report({ ...LATE, lateMs: 7 }), [], 'later still is the same state: the stats carry the figure')
  assert.equal(report(IN_TIME), [{ event: 'sync', name: 'keys', from: 'late', ...IN_TIME, outOfStepMs: 0 }])
  assert.equal(report(NO_CLOCK), [{ event: 'sync', name: 'keys', from: 'in-time', ...NO_CLOCK, outOfStepMs: 0 }])
  assert.equal(s.state.rigs.get(1)!.report!.sync, NO_CLOCK, 'the latest report is kept')
})

test('a rig whose first report is already late is told at once; a report without sync (an older rig) tells nothing', () => {
  const { report } = show()
  assert.equal(
    report(LATE).map((n) => [n.event, 'from' in n ? n.from : '', 'state' in n ? n.state : '']),
    [['sync', 'no-clock', 'late']],
  )
  assert.equal(report(null), [])
  assert.equal(report(null), [])
})

test("the notice says how far the rig plays from the show's latency: its own latency and offset", () => {
  const { report } = show({ showLatencyMs: 5 })
  const [n] = report({ ...IN_TIME, latencyMs: 20, offsetMs: -2.5 })
  assert.ok(n && n.event === 'sync')
  assert.is(n.outOfStepMs, 12.5, '(20 − 5) − 2.5')
  // A show that sets no latency plays at the rigs' default (20 ms): a rig at 20 is in step.
  const plain = show()
  assert.is((plain.report(IN_TIME)[0] as { outOfStepMs: number }).outOfStepMs, 0)
})

test('every sync notice is a valid show event (the same object --json prints)', () => {
  const { report } = show({ showLatencyMs: 20 })
  const all = [...report(IN_TIME), ...report({ ...LATE, offsetMs: 3 }), ...report({ ...IN_TIME, latencyMs: 40 }), ...report(NO_CLOCK)]
  assert.is(all.length, 4)
  for (const n of all) assert.is(checkEvent('show', n), null)
})

test.run()
