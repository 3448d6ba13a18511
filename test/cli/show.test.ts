// openShow: a show from checked options, its events each with the line derived from it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { openShow } from '../../src/cli/show.js'
import { serveSettings } from '../../src/cli/serve-options.js'
import { joinSettings } from '../../src/cli/join-options.js'
import { connectTo, openRigMedia, startSession } from '../../src/cli/rig.js'
import { describeShowEvent } from '../../src/cli/describe-show.js'
import type { ShowEvent } from '../../src/session/events.js'
import { UsageError } from '../../src/errors.js'

test('a show listens, streams to the rig that joins, ends on its duration; every line is the event described', async () => {
  const out: Array<[ShowEvent, string | null]> = []
  const settings = serveSettings({}, { host: '127.0.0.1', port: '0', duration: '0.3', name: 'foh', frames: '64' }, 'serve')
  const show = await openShow(settings, (e, l) => out.push([e, l]))
  assert.ok(show.port > 0)
  assert.equal([show.name, show.transport, show.control, show.format.framesPerPacket], ['foh', 'tcp', false, 64])
  const listening = out.find(([e]) => e.event === 'listening')![0] as Extract<ShowEvent, { event: 'listening' }>
  assert.equal([listening.port, listening.source, listening.midi, listening.clients], [show.port, show.sourceDescription, [], 1])

  const s = joinSettings({}, { name: 'left' }, [`127.0.0.1:${show.port}`])
  const media = openRigMedia(
    s,
    () => {},
    () => {},
    () => {},
  )
  const rig = startSession(s, media, await connectTo(s, 'tcp', 2000), () => {})
  assert.ok((await rig.done).ok)
  await media.close()
  const summary = await show.done
  assert.is(summary.reason, 'duration of 0.3 s reached')

  const names: string[] = out.map(([e]) => e.event)
  for (const name of ['listening', 'joined', 'init', 'terminate', 'summary']) assert.ok(names.includes(name), `${name} in ${names}`)
  for (const [e, line] of out) if (e.event !== 'stats') assert.is(line, describeShowEvent(e), `${e.event}'s line`)
  const last = out.at(-1)![0] as Extract<ShowEvent, { event: 'summary' }>
  assert.equal([last.event, last.rateHz, last.rigsJoined], ['summary', 48000, 1])
  show.emit({ event: 'control', ok: true, command: 'status', message: 'streaming' })
  assert.equal(out.at(-1), [{ event: 'control', ok: true, command: 'status', message: 'streaming' }, '> streaming'], 'emit adds the line')
})

test('packets that do not fit are refused before anything listens', async () => {
  const refused = async (flags: Record<string, unknown>): Promise<string> => {
    try {
      await openShow(serveSettings({}, { host: '127.0.0.1', port: '0', ...flags }, 'serve'), () => {})
    } catch (err) {
      assert.instance(err, UsageError)
      return (err as Error).message
    }
    return 'accepted'
  }
  assert.is(
    await refused({ redundancy: '5' }),
    '--redundancy 5 does not fit a 1500-byte MTU with 128-frame packets (at most 1): lower --frames or --redundancy, or raise --mtu',
  )
  assert.is(
    await refused({ frames: '16384', channels: '64', format: 'f32le' }),
    '--frames 16384 makes 4194304-byte packets, over the 1048576-byte limit',
  )
  assert.match(await refused({ source: 'none' }), /^--source none streams no audio/)
})

test.run()
