// The rig table's SYNC column: in time, late by N ms, no clock yet, out of step on purpose,
// each in its colour (green, red, yellow), rendered with ink-testing-library.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { RigTable, syncCell, syncColor } from '../../../tui/components/rig-table.js'
import type { RigReport, RigSyncView } from '../../../src/session/stats.js'
import { plain, sgr } from '../../helpers/terminal.js'

const IN_TIME: RigSyncView = { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 }

function rig(name: string, sync: RigSyncView | null): RigReport {
  return {
    name,
    remote: '10.0.0.2:50000',
    phase: 'streaming',
    transport: 'udp',
    switchingTo: null,
    rttMs: 0.4,
    framesSent: 100,
    bytesSent: 1000,
    framesDropped: 0,
    queuedBytes: 0,
    retransmits: 0,
    midiIn: 0,
    muted: false,
    silentMs: 100,
    heard: null,
    sync,
  }
}

const CELLS: Array<[string, RigSyncView | null, string, ReturnType<typeof syncColor>]> = [
  ['before the first report', null, '-', undefined],
  ['no clock yet', { ...IN_TIME, state: 'no-clock', errorMs: null }, 'no clock', 'yellow'],
  ['in time', IN_TIME, 'in time', 'green'],
  ['late', { ...IN_TIME, state: 'late', lateMs: 3.21 }, 'late 3.2ms', 'red'],
  ['late by a hair: never "late 0.0"', { ...IN_TIME, state: 'late', lateMs: 0.04 }, 'late 0.1ms', 'red'],
  ['late by a lot: whole ms', { ...IN_TIME, state: 'late', lateMs: 123.4 }, 'late 123ms', 'red'],
  ['late wins over out of step', { ...IN_TIME, state: 'late', lateMs: 2, outOfStepMs: 5 }, 'late 2.0ms', 'red'],
  ['out of step on purpose, behind', { ...IN_TIME, latencyMs: 25, outOfStepMs: 5 }, '+5ms', 'yellow'],
  ['out of step, ahead', { ...IN_TIME, offsetMs: -2.5, outOfStepMs: -2.5 }, '-2.5ms', 'yellow'],
]
for (const [what, view, cell, color] of CELLS) {
  test(`the sync cell, ${what}: '${cell}' in ${color ?? 'the row colour'}`, () => {
    assert.is(syncCell(view), cell)
    assert.is(syncColor(view), color)
    assert.ok(cell.length <= 10, 'fits the column')
  })
}

test('the table shows each rig in its colour under SYNC, the rest of the row untouched', () => {
  const rigs = [
    rig('a-on-time', IN_TIME),
    rig('b-late', { ...IN_TIME, state: 'late', lateMs: 3.2 }),
    rig('c-no-clock', { ...IN_TIME, state: 'no-clock', errorMs: null }),
    rig('d-offset', { ...IN_TIME, offsetMs: 5, outOfStepMs: 5 }),
    rig('e-silent', null),
  ]
  const { lastFrame } = render(<RigTable rigs={rigs} selected={-1} width={80} maxRows={10} />)
  const lines = (lastFrame() ?? '').split('\n')
  assert.match(plain(lines[0]), /^ {2}RIG +NET +STATE +SYNC +RTT/)
  const sync = plain(lines[0]).indexOf('SYNC')
  assert.equal(
    lines.slice(1).map((l) =>
      plain(l)
        .slice(sync, sync + 10)
        .trimEnd(),
    ),
    ['in time', 'late 3.2ms', 'no clock', '+5ms', '-'],
  )
  const colored = (line: string | undefined, code: number, text: string) => (line ?? '').includes(`${sgr(code)} ${text}`)
  assert.ok(colored(lines[1], 32, 'in time'), 'green')
  assert.ok(colored(lines[2], 31, 'late 3.2ms'), 'red')
  assert.ok(colored(lines[3], 33, 'no clock'), 'yellow')
  assert.ok(colored(lines[4], 33, '+5ms'), 'yellow')
  assert.not.ok(
    [31, 32, 33].some((code) => (lines[5] ?? '').includes(sgr(code))),
    'a rig with nothing to say is not coloured',
  )
  assert.ok(lines[1]!.startsWith('  a-on-time'), 'the name is not in the cell colour')
})

test.run()
