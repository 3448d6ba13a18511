// The console's model on a manual clock: it polls the show every `everyMs` of the clock,
// stamps its log from it, times MIDI rates with it, and stop() ends the polling.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConsoleModel } from '../../tui/model.js'
import type { ServerStats } from '../../src/session/stats.js'
import { ManualClock } from '../helpers/manual-clock.js'

function stats(messagesIn: number): ServerStats {
  return { midi: { messagesIn, messagesOut: 0 }, rigs: [] } as unknown as ServerStats
}

test('polls on the clock, MIDI rates per second of the clock, log stamped with its time; stop() stops', async () => {
  const clock = new ManualClock()
  let reads = 0
  let midiIn = 0
  const model = new ConsoleModel(
    { name: 'show', port: 7400, format: { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }, source: 'tone' },
    () => {
      reads++
      return { stats: stats(midiIn), mode: 'tcp' }
    },
    clock,
  )
  assert.is(reads, 1, 'read once when made')
  await clock.advance(100)
  model.start(250)
  await clock.advance(249)
  assert.is(reads, 1)
  midiIn = 50
  await clock.advance(1)
  assert.is(reads, 2)
  midiIn = 100
  await clock.advance(250)
  assert.is(reads, 3)
  assert.equal(model.current.midiRate, { in: 200, out: 0 }, '50 messages in 250 ms of the clock')
  model.event({ event: 'joined', name: 'stage-left', remote: '127.0.0.1:5000', late: false, meta: {} }, 'stage-left joined')
  assert.equal(model.current.log.at(-1), { atMs: 600, text: 'stage-left joined', level: 'info' })
  model.stop()
  assert.is(clock.pendingTimers, 0)
  await clock.advance(1000)
  assert.is(reads, 4, 'only the event refreshed after stop()')
})

test("the log warns of a rig off the show's time; one back in time is news", () => {
  const clock = new ManualClock()
  const model = new ConsoleModel(
    { name: 'show', port: 7400, format: { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }, source: 'tone' },
    () => ({ stats: stats(0), mode: 'tcp' }),
    clock,
  )
  const sync = { event: 'sync', name: 'b', errorMs: 0.2, lateMs: 0, latencyMs: 20, offsetMs: 0, outOfStepMs: 0 } as const
  model.event({ ...sync, from: 'in-time', state: 'late', lateMs: 3 }, 'rig b late by 3 ms')
  model.event({ ...sync, from: 'late', state: 'in-time' }, 'rig b back in time')
  model.event({ ...sync, from: 'in-time', state: 'no-clock', errorMs: null }, 'rig b lost the show clock')
  assert.equal(
    model.current.log.map((l) => [l.text, l.level]),
    [
      ['rig b late by 3 ms', 'warn'],
      ['rig b back in time', 'info'],
      ['rig b lost the show clock', 'warn'],
    ],
  )
})

test.run()
