// The rig side of join: media opened once, a session against a real show, its notices as events.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openShow } from '../../src/cli/show.js'
import { serveSettings } from '../../src/cli/serve-options.js'
import { joinSettings } from '../../src/cli/join-options.js'
import { connectTo, openRigMedia, rigName, rigNoticeEvent, startRigStats, startSession } from '../../src/cli/rig.js'
import { describeRigEvent } from '../../src/cli/describe-rig.js'
import type { RigEvent } from '../../src/session/events.js'
import type { RigRunner } from '../../src/session/rig-runner.js'
import { ManualClock } from '../helpers/manual-clock.js'

test('a session: the handshake names where, as whom and into what; INIT says how far behind', async () => {
  const show = await openShow(serveSettings({}, { host: '127.0.0.1', port: '0', duration: '0.3', name: 'foh' }, 'serve'), () => {})
  const s = joinSettings({}, { name: 'left', latency: '30' }, [`127.0.0.1:${show.port}`])
  const events: RigEvent[] = []
  const media = openRigMedia(
    s,
    (e) => events.push(e),
    () => {},
    () => {},
  )
  const rig = startSession(s, media, await connectTo(s, s.transport, 2000), (e) => events.push(e))
  const outcome = await rig.done
  await media.close()
  await show.done
  const sink = media.sink.description
  assert.ok(outcome.ok, outcome.reason)
  const handshake = events.find((e) => e.event === 'handshake')!
  assert.equal(
    [handshake.server, handshake.host, handshake.port, handshake.name, handshake.sink, handshake.rate, handshake.frames],
    ['foh', '127.0.0.1', show.port, 'left', sink, 48000, 128],
  )
  assert.is(
    describeRigEvent(handshake),
    `joined foh at 127.0.0.1:${show.port} as left: 48000 Hz, 2 ch, s16le, 128 frames/packet; sink ${sink}`,
  )
  assert.is(describeRigEvent(events.find((e) => e.event === 'init')!), 'INIT: playing from position 0, 30 ms behind')
})

test('notices as events: a failed switch names the transport the rig stays on', () => {
  const s = joinSettings({}, {}, ['127.0.0.1:1'])
  const media = { sink: { description: 'null' } } as Parameters<typeof rigNoticeEvent>[2]
  assert.equal(
    rigNoticeEvent({ event: 'switch-failed', to: 'udp', reason: 'no answer' }, s, media, () => 'tcp'),
    { event: 'switch-failed', to: 'udp', reason: 'no answer', transport: 'tcp' },
  )
  assert.equal(
    rigNoticeEvent({ event: 'init', position: 96 }, s, media, () => 'tcp'),
    { event: 'init', position: 96, latencyMs: 20 },
  )
  assert.equal(
    rigNoticeEvent({ event: 'recovered', silentMs: 5 }, s, media, () => 'tcp'),
    { event: 'recovered', silentMs: 5 },
  )
  assert.is(rigName({ name: 'x' }), 'x')
})

test('stats go out each second while streaming, with a line every fifth', async () => {
  const out: Array<[RigEvent, string | null]> = []
  let phase = 'ready'
  const stats = {
    transport: 'tcp',
    framesPlayed: 1000,
    bufferMs: 20,
    jitterMs: 0,
    underruns: 0,
    packetsLost: 0,
    framesConcealed: 0,
    rttMs: 1,
  }
  const rig = {
    get phase() {
      return phase
    },
    stats: () => stats,
  }
  const clock = new ManualClock()
  const stop = startRigStats(
    () => rig as unknown as RigRunner,
    (e, l) => out.push([e, l]),
    clock,
  )
  try {
    await clock.advance(1000) // one tick while not streaming: nothing
    assert.is(out.length, 0)
    phase = 'streaming'
    await clock.advance(1000)
    assert.is(out.length, 1)
    const first = out[0]![0] as Extract<RigEvent, { event: 'stats' }>
    assert.equal([first.event, first.framesPlayed, out[0]![1]], ['stats', 1000, null])
    await clock.advance(4000)
    assert.equal(
      out.map(([, line]) => line !== null),
      [false, false, false, false, true],
      "the operator's line on the fifth",
    )
  } finally {
    stop()
  }
})

test.run()
