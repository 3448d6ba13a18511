// The console's event log: the most recent lines that fit, oldest first; none when no room.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { EventLog } from '../../../tui/components/event-log.js'
import type { LogLine } from '../../../tui/model.js'
import { plain } from '../../helpers/terminal.js'

const log: LogLine[] = [
  { atMs: 1, text: 'listening on tcp :7400', level: 'info' },
  { atMs: 2, text: 'stage-left joined', level: 'info' },
  { atMs: 2, text: 'keys left: connection closed', level: 'warn' },
  { atMs: 3, text: 'init: streaming from 0', level: 'info' },
]

test('the last lines that fit, oldest first', () => {
  assert.is(plain(render(<EventLog log={log} lines={2} />).lastFrame()), 'keys left: connection closed\ninit: streaming from 0')
  assert.is(plain(render(<EventLog log={log} lines={10} />).lastFrame()), log.map((l) => l.text).join('\n'), 'all of them when they fit')
})

test('no room, or nothing logged: an empty log', () => {
  assert.is(plain(render(<EventLog log={log} lines={0} />).lastFrame()), '')
  assert.is(plain(render(<EventLog log={[]} lines={5} />).lastFrame()), '')
})

test('a long line is cut at the width, not wrapped onto the next', () => {
  const long = [
    { atMs: 1, text: 'x'.repeat(150), level: 'info' as const },
    { atMs: 2, text: 'next', level: 'info' as const },
  ]
  const lines = plain(render(<EventLog log={long} lines={2} />).lastFrame()).split('\n')
  assert.is(lines.length, 2)
  assert.ok(lines[0]!.length <= 100, `cut to the 100-column test terminal (${lines[0]!.length})`)
  assert.is(lines[1], 'next')
})

test('a warning stands out in yellow; information is dimmed', () => {
  const [info, , warn] = render(<EventLog log={log} lines={4} />)
    .lastFrame()!
    .split('\n')
  assert.is(warn, '\x1b[33mkeys left: connection closed\x1b[39m')
  assert.is(info, '\x1b[2mlistening on tcp :7400\x1b[22m')
})

test.run()
