// The rig's show time: timeline + clock estimate + latency + offset, both ways, across the 32-bit wrap.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ShowTime, type ServerClock } from '../../src/sync/show-time.js'

/** A server clock 1000 ms ahead of the rig's, running 100 ppm fast. */
const clock: ServerClock = { toServer: (l) => 1000 + l * (1 + 100e-6), toLocal: (s) => (s - 1000) / (1 + 100e-6) }
const none: ServerClock = { toServer: () => undefined, toLocal: () => undefined }

test('position P leaves at toLocal(serverMs(P) + latency) + offset, and positionAt inverts it', () => {
  const st = new ShowTime({ rateHz: 48000, clock, latencyMs: 20, offsetMs: 3 })
  assert.is(st.localTimeOf(0), undefined, 'no timeline yet')
  st.setTimeline({ position: 48000, serverMs: 5000, driftPpm: 0 })
  const at = st.localTimeOf(96000)!
  assert.ok(Math.abs(at - (clock.toLocal(6020)! + 3)) < 1e-9)
  assert.is(st.positionAt(at), 96000)
  assert.is(st.positionAt(at - 0.03), 95998, 'floored: the frame leaving then')
})

test("the timeline's drift stretches each frame; a position past the 32-bit wrap is placed right", () => {
  const st = new ShowTime({ rateHz: 1000, clock, latencyMs: 0, offsetMs: 0 })
  st.setTimeline({ position: 0xffffff00, serverMs: 2000, driftPpm: 500 })
  // 0x100 + 0x10 frames later, across the wrap: 272 frames of 1.0005 ms.
  assert.ok(Math.abs(st.serverTimeOf(0x10)! - (2000 + 272 * 1.0005)) < 1e-9)
})

test('no clock estimate: nothing is known', () => {
  const st = new ShowTime({ rateHz: 48000, clock: none, latencyMs: 20, offsetMs: 0 })
  st.setTimeline({ position: 0, serverMs: 0, driftPpm: 0 })
  assert.is(st.localTimeOf(10), undefined)
  assert.is(st.positionAt(10), undefined)
})

test.run()
