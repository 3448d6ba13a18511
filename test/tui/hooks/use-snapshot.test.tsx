// useSnapshot: a component reads the model's current snapshot and redraws when it changes
// (a poll or a logged event), and stops listening when it goes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { Text } from 'ink'
import { useSnapshot } from '../../../tui/hooks/use-snapshot.js'
import { ConsoleModel } from '../../../tui/model.js'
import type { ServerStats } from '../../../src/session/stats.js'
import { ManualClock } from '../../helpers/manual-clock.js'
import { until } from '../../helpers/wait.js'

function Probe({ model }: { model: ConsoleModel }) {
  const snap = useSnapshot(model)
  return <Text>{`${snap.stats.phase} ${snap.stats.packetsBroadcast} log [${snap.log.map((l) => l.text).join('|')}]`}</Text>
}

function showModel() {
  let stats: ServerStats = {
    phase: 'waiting',
    uptimeMs: 0,
    position: 0,
    showLatencyMs: 20,
    timeline: { sourceDriftPpm: 0, steps: 0, readLagMs: 0 },
    packetsBroadcast: 0,
    levels: { peakDb: [], rmsDb: [] },
    midi: { messagesIn: 0, messagesOut: 0, invalidBytes: 0, expired: 0, released: 0 },
    rigs: [],
  }
  const model = new ConsoleModel(
    { name: 'probe', port: 1, format: { rateHz: 48000, channels: 2, format: 's16le', framesPerPacket: 128 }, source: 'none' },
    () => ({ stats, mode: 'tcp' }),
    new ManualClock(),
  )
  return { model, set: (over: Partial<ServerStats>) => (stats = { ...stats, ...over }) }
}

test('the snapshot at render, then each refresh and each logged line', async () => {
  const { model, set } = showModel()
  const { lastFrame } = render(<Probe model={model} />)
  assert.is(lastFrame(), 'waiting 0 log []')
  set({ phase: 'streaming', packetsBroadcast: 375 })
  assert.is(lastFrame(), 'waiting 0 log []', 'nothing until the model polls')
  model.refresh()
  // React redraws for an outside store on its own schedule: wait for the frame.
  await until(() => lastFrame() === 'streaming 375 log []', 5000, 'the refreshed snapshot drawn')
  model.note('stage-left joined')
  await until(() => lastFrame() === 'streaming 375 log [stage-left joined]', 5000, 'the logged line drawn')
})

test('unmounted, it no longer listens', async () => {
  const { model, set } = showModel()
  const listening = (m: ConsoleModel) => (m as unknown as { listeners: Set<unknown> }).listeners.size
  const { unmount, frames } = render(<Probe model={model} />)
  assert.is(listening(model), 1)
  unmount()
  assert.is(listening(model), 0)
  const drawn = frames.length
  set({ packetsBroadcast: 1 })
  model.refresh()
  await new Promise((r) => setImmediate(r)) // a redraw would be scheduled by now
  assert.is(frames.length, drawn, 'nothing drawn after unmount')
})

test.run()
