// Keep-alive timing: a silent peer is given up after 1.5 ping intervals (MQTT's rule), and
// the runners tick four times an interval, never faster than every 50 ms.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DEFAULT_PING_INTERVAL_MS, peerTimeoutMs, tickIntervalMs } from '../../src/session/keepalive.js'
import { LIMITS } from '../../src/codec/limits.js'

test('the default interval is the documented one (2 s) and a silent peer is dropped at 3 s', () => {
  assert.is(DEFAULT_PING_INTERVAL_MS, LIMITS.pingIntervalMs.default)
  assert.is(DEFAULT_PING_INTERVAL_MS, 2000)
  assert.is(peerTimeoutMs(DEFAULT_PING_INTERVAL_MS), 3000)
})

test('timeouts round to whole ms; ticks are a quarter interval with a 50 ms floor', () => {
  assert.is(peerTimeoutMs(333), 500)
  assert.is(tickIntervalMs(2000), 500)
  assert.is(tickIntervalMs(100), 50)
  assert.is(tickIntervalMs(LIMITS.pingIntervalMs.min), 50)
  assert.is(tickIntervalMs(LIMITS.pingIntervalMs.max), LIMITS.pingIntervalMs.max / 4)
})

test.run()
