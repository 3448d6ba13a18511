// Lateness per one-second window: the share of packets after their time and the worst of them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LATENESS_WINDOW_MS, LatenessWindow } from '../../src/jitter/lateness.js'

test('judged per full window; a silent window keeps the last, two clear it', () => {
  const w = new LatenessWindow()
  for (let i = 0; i < 10; i++) w.arrived(i * 10, i < 2 ? 4 - i : -1)
  assert.equal(w.read(500), { share: 0, worstMs: 0 }, 'the first window is not over')
  assert.equal(w.read(LATENESS_WINDOW_MS), { share: 0.2, worstMs: 4 })
  assert.equal(w.read(LATENESS_WINDOW_MS * 2 + 1), { share: 0.2, worstMs: 4 }, 'a window with nothing in it says nothing new')
  assert.equal(w.read(LATENESS_WINDOW_MS * 5), { share: 0, worstMs: 0 })
})

test.run()
