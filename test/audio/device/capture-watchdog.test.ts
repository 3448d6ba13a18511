// A capture card's deadlines: a slow start (opening, then its first buffer owed) is not a
// lost card; a card that delivered and went quiet is lost after a second. Judged from INIT.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CaptureWatchdog, FIRST_DATA_MS, OPEN_MS, SILENT_MS } from '../../../src/audio/device/capture-watchdog.js'

test('nothing is judged before the show streams, however long the card takes', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  assert.is(w.verdict(60_000), null)
})

test('opening: a host still opening the card has OPEN_MS from INIT, then it did not start', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  w.streaming(500) // INIT soon after setup, as --clients 1 starts a show
  assert.is(w.verdict(500 + 1500), null, 'past the old one-second watchdog: still starting, not lost')
  assert.is(w.verdict(500 + OPEN_MS), null)
  assert.is(w.verdict(500 + OPEN_MS + 1), `did not start in ${OPEN_MS / 1000} s`)
})

test('started: its first buffer is owed within FIRST_DATA_MS of the start', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  w.streaming(100)
  w.started(3000) // a loaded machine: 3 s to open
  assert.is(w.verdict(3000 + FIRST_DATA_MS), null)
  assert.is(w.verdict(3000 + FIRST_DATA_MS + 1), `started but delivered nothing in ${FIRST_DATA_MS} ms`)
  assert.is(w.lastLifeMs, 3000, 'silence would fill from its start')
})

test('delivering: lost SILENT_MS after its last buffer, whatever its start took', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  w.streaming(0)
  w.started(4000)
  w.data(4100)
  w.data(5000)
  assert.is(w.verdict(5000 + SILENT_MS), null)
  assert.is(w.verdict(5000 + SILENT_MS + 1), `delivered nothing for ${SILENT_MS} ms (unplugged, or its driver stalled)`)
  assert.is(w.lastLifeMs, 5000)
})

test('a card that delivered before INIT owes nothing from before it: the second counts from INIT', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  w.started(10)
  w.data(20)
  w.streaming(8000)
  assert.is(w.verdict(8000 + SILENT_MS), null)
  assert.ok(w.verdict(8000 + SILENT_MS + 1))
  assert.is(w.lastLifeMs, 8000, 'silence never from before INIT')
})

test('a reopened card starts over: opening again, not judged by the lost one', () => {
  const w = new CaptureWatchdog()
  w.opened(0)
  w.streaming(0)
  w.started(5)
  w.data(10)
  w.opened(3000)
  assert.is(w.verdict(3000 + 1500), null, 'a reopen gets the start deadlines')
  w.started(3100)
  assert.is(w.verdict(3100 + FIRST_DATA_MS + 1), `started but delivered nothing in ${FIRST_DATA_MS} ms`)
})

test.run()
