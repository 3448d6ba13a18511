// A rig's sync state: no clock, in time, or late (a path slower than its latency), with the latency and offset it plays at.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LATE_SHARE, RigSync, toSyncReport } from '../../src/sync/rig-sync.js'

test("the show's latency unless the rig has its own; states by clock and lateness", () => {
  const s = new RigSync({ latencyMs: undefined, offsetMs: -1.5 })
  assert.is(s.latencyMs, 20, 'before INIT: the default')
  s.showLatencyMs = 2
  assert.is(s.latencyMs, 2)
  assert.is(new RigSync({ latencyMs: 7, offsetMs: 0 }).latencyMs, 7)
  const calm = { share: 0, worstMs: 0 }
  assert.is(s.stats(false, 0.2, calm).state, 'no-clock')
  assert.is(s.stats(true, undefined, calm).state, 'no-clock')
  const ok = s.stats(true, 0.2, { share: LATE_SHARE, worstMs: 0.5 })
  assert.equal(ok, { state: 'in-time', errorMs: 0.2, lateMs: 0.5, latencyMs: 2, offsetMs: -1.5, showLatencyMs: 2 })
  const late = s.stats(true, 0.2, { share: 0.2, worstMs: 3.456 })
  assert.equal([late.state, late.lateMs], ['late', 3.46])
  assert.equal(toSyncReport(late), { state: 'late', errorMs: 0.2, lateMs: 3.46, latencyMs: 2, offsetMs: -1.5 })
})

test.run()
