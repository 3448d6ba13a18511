// The console's header: the show's name, its phase, transport, port and uptime, then its
// source, format and packets sent.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { ShowHeader, uptime } from '../../../tui/components/show-header.js'
import type { ConsoleSnapshot } from '../../../tui/model.js'
import type { ServerStats } from '../../../src/session/stats.js'
import { plain, sgr } from '../../helpers/terminal.js'

test('uptime: m:ss under an hour, h:mm:ss from an hour', () => {
  assert.is(uptime(0), '0:00')
  assert.is(uptime(999), '0:00')
  assert.is(uptime(83_000), '1:23')
  assert.is(uptime(59 * 60_000 + 59_999), '59:59')
  assert.is(uptime(3_600_000), '1:00:00')
  assert.is(uptime(3_723_000), '1:02:03')
  assert.is(uptime(36_000_000 + 5_000), '10:00:05')
})

function snap(over: Partial<ServerStats> = {}, mode: 'tcp' | 'udp' = 'udp'): ConsoleSnapshot {
  const stats: ServerStats = {
    phase: 'streaming',
    uptimeMs: 83_000,
    position: 0,
    showLatencyMs: 20,
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0 },
    packetsBroadcast: 375,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 0, messagesOut: 0, invalidBytes: 0, expired: 0, released: 0 },
    rigs: [],
    ...over,
  }
  return {
    info: {
      name: 'Friday set',
      port: 7400,
      format: { rateHz: 48000, channels: 2, format: 's24le', framesPerPacket: 64 },
      source: 'tone 440 Hz',
    },
    stats,
    mode,
    log: [],
    midiRate: { in: 0, out: 0 },
  }
}

test('name at the left, phase, transport, port and uptime at the right; then source, format and packets', () => {
  const lines = plain(render(<ShowHeader snap={snap()} />).lastFrame()).split('\n')
  assert.is(lines.length, 2)
  assert.match(lines[0]!, /^Friday set +STREAMING {2}UDP :7400 {2}up 1:23$/)
  assert.is(lines[0]!.length, 100, "spread over the terminal's width")
  assert.is(lines[1], 'tone 440 Hz; 48000 Hz, 2 ch, s24le, 64 frames/packet; 375 packets sent')
})

test('the phase and transport as they are', () => {
  assert.match(
    plain(render(<ShowHeader snap={snap({ phase: 'waiting', uptimeMs: 3_723_000 }, 'tcp')} />).lastFrame()),
    /WAITING {2}TCP :7400 {2}up 1:02:03/,
  )
})

test('the phase in colour: green streaming, yellow waiting, red closed', () => {
  assert.ok(
    render(<ShowHeader snap={snap()} />)
      .lastFrame()!
      .includes(`${sgr(32)}STREAMING`),
  )
  assert.ok(
    render(<ShowHeader snap={snap({ phase: 'waiting' })} />)
      .lastFrame()!
      .includes(`${sgr(33)}WAITING`),
  )
  assert.ok(
    render(<ShowHeader snap={snap({ phase: 'closed' })} />)
      .lastFrame()!
      .includes(`${sgr(31)}CLOSED`),
  )
})

test.run()
