// The console's components rendered with ink-testing-library, changing digits masked.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { RigTable, columnsFor } from '../../tui/components/rig-table.js'
import { Meters, meterBar } from '../../tui/components/meters.js'
import { HelpLine } from '../../tui/components/help-line.js'
import { Console } from '../../tui/app.js'
import { ConsoleModel } from '../../tui/model.js'
import { ManualClock } from '../helpers/manual-clock.js'
import type { RigReport, ServerStats } from '../../src/session/stats.js'
import type { Command, CommandResult } from '../../src/control/commands.js'
import { until } from '../helpers/wait.js'
import { mask, plain } from '../helpers/terminal.js'

/**
 * Waits until the console shows what a key should have done, then for the commit's effects:
 * Ink installs the input handler that sees the new state in a passive effect, which React's
 * scheduler runs in a setImmediate task after the frame is drawn; a key sent before it
 * would reach the previous handler. One check-phase turn after that task lets it run first.
 */
async function settled(cond: () => boolean, what: string): Promise<void> {
  await until(cond, 5000, what)
  await new Promise((r) => setImmediate(r))
}

function rig(name: string, over: Partial<RigReport> = {}): RigReport {
  return {
    name,
    remote: `10.0.0.${name.length}:50000`,
    phase: 'streaming',
    transport: 'udp',
    switchingTo: null,
    rttMs: 0.42,
    framesSent: 100,
    bytesSent: 1000,
    framesDropped: 0,
    queuedBytes: 0,
    retransmits: 0,
    midiIn: 3,
    muted: false,
    silentMs: 120,
    sync: { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 },
    heard: {
      packetsReceived: 990,
      packetsLost: 10,
      packetsLate: 0,
      packetsRecovered: 0,
      framesConcealed: 256,
      underruns: 1,
      jitterMs: 0.8,
      bufferMs: 6,
      midiReceived: 12,
      midiLost: 0,
      sync: { state: 'in-time', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0 },
    },
    ...over,
  }
}

function stats(rigs: RigReport[], over: Partial<ServerStats> = {}): ServerStats {
  return {
    phase: 'streaming',
    uptimeMs: 83_000,
    position: 48000,
    showLatencyMs: 20,
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0 },
    packetsBroadcast: 375,
    levels: { peakDb: [-6.1, -12], rmsDb: [-9.1, -15] },
    midi: { messagesIn: 40, messagesOut: 2, invalidBytes: 0, expired: 0, released: 0 },
    rigs,
    ...over,
  }
}

test('the rig table with several rigs at 80 columns: the columns that fit, sync among them, the selected rig marked', () => {
  const { lastFrame } = render(
    <RigTable
      rigs={[rig('stage-left'), rig('stage-right', { transport: 'tcp', muted: true }), rig('keys')]}
      selected={1}
      width={80}
      maxRows={5}
    />,
  )
  assert.equal(mask(lastFrame()).split('\n'), [
    '  RIG            NET  STATE     SYNC          RTT   JIT  LOSS%   BUF   UND/CONC',
    '  stage-left     udp  streaming in time       #.#   #.#    #.#     #      #/###',
    '> stage-right    tcp  muted     in time       #.#   #.#    #.#     #      #/###',
    '  keys           udp  streaming in time       #.#   #.#    #.#     #      #/###',
  ])
})

test('wider terminals show more columns; a rig leaving drops its row', () => {
  assert.equal(columnsFor(138).length, 12, 'every column from 118 columns up')
  assert.equal(columnsFor(117).length, 11)
  const { lastFrame, rerender } = render(<RigTable rigs={[rig('a'), rig('b')]} selected={0} width={110} maxRows={5} />)
  assert.match(plain(lastFrame()), /MIDI i\/o +HEARD$/m)
  assert.not.match(plain(lastFrame()), /ADDRESS/)
  rerender(<RigTable rigs={[rig('b')]} selected={0} width={110} maxRows={5} />)
  assert.not.match(plain(lastFrame()), /^\s+a\s/m)
  assert.is(plain(lastFrame()).split('\n').length, 2)
  assert.equal(
    columnsFor(40).map((c) => c.title),
    ['RIG', 'NET', 'STATE', 'LOSS%'],
  )
})

test('meters: a bar per channel with peak and RMS in dBFS', () => {
  const { lastFrame } = render(<Meters levels={{ peakDb: [-6.1, -90], rmsDb: [-9.1, -90] }} width={80} maxChannels={2} />)
  const lines = plain(lastFrame()).split('\n')
  assert.is(lines.length, 2)
  assert.match(lines[0]!, /^ch1 {2}\[=+ *\|? *\] pk {3}-6\.1 rms {3}-9\.1$/)
  assert.match(lines[1]!, /^ch2 {2}\[ +\] pk {3}-inf rms {3}-inf$/)
  assert.is(meterBar(0, 0, 10), '==========')
  assert.is(meterBar(-30, -12, 10), '=====   | ')
})

test('the help line shows every key; a prompt replaces it', () => {
  const { lastFrame, rerender } = render(<HelpLine />)
  assert.is(plain(lastFrame()), 's start  t stop  x tcp/udp  ↑↓ rig  k kick  m mute  p panic  q quit')
  rerender(<HelpLine prompt="Stop the show? Every rig gets TERMINATE. y / n" />)
  assert.is(plain(lastFrame()), 'Stop the show? Every rig gets TERMINATE. y / n')
})

test('the console: t asks first, y stops the show through the command layer; q on a live show asks too', async () => {
  let current = stats([rig('stage-left'), rig('stage-right')])
  const model = new ConsoleModel(
    {
      name: 'Two-rig TCP show',
      port: 7400,
      format: { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 },
      source: 'tone 440 Hz',
    },
    () => ({ stats: current, mode: 'tcp' }),
    new ManualClock(),
  )
  const ran: Command[] = []
  let quits = 0
  const run = (c: Command): CommandResult => {
    ran.push(c)
    return { ok: true, command: c.kind, message: `did ${c.kind}` }
  }
  const { lastFrame, stdin } = render(<Console model={model} run={run} quit={() => quits++} />)
  const shows = (re: RegExp) => re.test(plain(lastFrame()))
  // Ink listens to stdin once the first useInput effect has run.
  await settled(() => stdin.listenerCount('readable') > 0 && shows(/Two-rig TCP show/), 'the console drawn and listening')
  assert.match(plain(lastFrame()), /Two-rig TCP show/)
  assert.match(mask(lastFrame()), /STREAMING {2}TCP :#### {2}up #:##/)
  stdin.write('t')
  await settled(() => shows(/Stop the show\?/), 'the stop prompt')
  assert.match(plain(lastFrame()), /Stop the show\? Every rig gets TERMINATE\. y \/ n/)
  assert.equal(ran, [], 'nothing happens before the answer')
  stdin.write('y')
  await settled(() => ran.length > 0 && shows(/did terminate/), 'the terminate command')
  assert.equal(ran, [{ kind: 'terminate', reason: 'stopped by the operator' }])
  assert.match(plain(lastFrame()), /did terminate/)
  stdin.write('\u001B[B') // down: select stage-right
  await settled(() => shows(/^> stage-right/m), 'stage-right selected')
  stdin.write('m')
  await settled(() => ran.length > 1, 'the mute command')
  assert.equal(ran.at(-1), { kind: 'mute', name: 'stage-right', muted: true })
  stdin.write('x')
  await settled(() => ran.length > 2, 'the switch command')
  assert.equal(ran.at(-1), { kind: 'switch', to: 'udp' })
  stdin.write('q')
  await settled(() => shows(/quit and stop it/), 'the quit prompt')
  assert.match(plain(lastFrame()), /The show is live: quit and stop it for every rig\? y \/ n/)
  stdin.write('n')
  await settled(() => shows(/s start {2}t stop/), 'the help line back')
  assert.is(quits, 0)
  current = stats([rig('stage-right')], { phase: 'closed' })
  model.refresh()
  await settled(() => !shows(/stage-left/), 'stage-left gone')
  assert.not.match(plain(lastFrame()), /stage-left/)
  stdin.write('q')
  await settled(() => quits > 0, 'the console to quit')
  assert.is(quits, 1, 'a show that is over quits without asking')
})

test.run()
