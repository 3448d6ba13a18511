// The console's MIDI line: totals and rates in and out; releases and invalid bytes only when there are any.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { MidiActivity } from '../../../tui/components/midi-activity.js'
import type { ServerMidiStats } from '../../../src/session/stats.js'
import { plain } from '../../helpers/terminal.js'

const midi = (over: Partial<ServerMidiStats> = {}): ServerMidiStats => ({
  messagesIn: 40,
  messagesOut: 2,
  invalidBytes: 0,
  expired: 0,
  released: 0,
  ...over,
})

test('idle: a hollow dot, totals, rates of zero', () => {
  assert.is(plain(render(<MidiActivity midi={midi()} rate={{ in: 0, out: 0 }} />).lastFrame()), '○ MIDI in 40 (0/s)  out 2 (0/s)')
})

test('active: a full dot and the rates rounded', () => {
  assert.is(plain(render(<MidiActivity midi={midi()} rate={{ in: 12.4, out: 0 }} />).lastFrame()), '● MIDI in 40 (12/s)  out 2 (0/s)')
  assert.is(plain(render(<MidiActivity midi={midi()} rate={{ in: 0, out: 0.6 }} />).lastFrame()), '● MIDI in 40 (0/s)  out 2 (1/s)')
})

test('notes released and invalid bytes, when there are any', () => {
  assert.is(
    plain(render(<MidiActivity midi={midi({ released: 3, invalidBytes: 2 })} rate={{ in: 0, out: 0 }} />).lastFrame()),
    '○ MIDI in 40 (0/s)  out 2 (0/s)  released 3  invalid bytes 2',
  )
})

test('the dot is green while MIDI flows, grey when idle', () => {
  assert.ok(
    render(<MidiActivity midi={midi()} rate={{ in: 3, out: 0 }} />)
      .lastFrame()!
      .startsWith('\x1b[32m● MIDI'),
  )
  assert.ok(
    render(<MidiActivity midi={midi()} rate={{ in: 0, out: 0 }} />)
      .lastFrame()!
      .startsWith('\x1b[90m○ MIDI'),
  )
})

test.run()
