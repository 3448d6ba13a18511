// serve --control -: one command per line, each answered with a control event.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { PassThrough } from 'node:stream'
import { openShow } from '../../src/cli/show.js'
import { serveSettings } from '../../src/cli/serve-options.js'
import { readControl } from '../../src/cli/control.js'
import { describeShowEvent } from '../../src/cli/describe-show.js'
import type { ShowEvent } from '../../src/session/events.js'
import { until } from '../helpers/transport-pairs.js'

test('commands answer with events; a bad one is an error event, never a throw; terminate ends the show', async () => {
  const show = await openShow(serveSettings({}, { host: '127.0.0.1', port: '0', clients: '0', control: '-' }, 'serve'), () => {})
  const input = new PassThrough()
  // Read loosely: which fields an answer has is what these assertions check.
  const answers: Array<ShowEvent & Record<string, unknown>> = []
  const stop = readControl(show.runner, (e) => answers.push(e), input)
  try {
    input.write('status\n\n')
    await until(() => answers.length === 1)
    assert.equal([answers[0]!.event, answers[0]!.ok, answers[0]!.command], ['control', true, 'status'])
    input.write('dance\n')
    await until(() => answers.length === 2)
    assert.equal([answers[1]!.ok, answers[1]!.command], [false, 'dance'])
    assert.match(describeShowEvent(answers[1]!)!, /^\? unknown command 'dance'/)
    input.write('terminate bye\n')
    const summary = await show.done
    assert.is(summary.reason, 'bye')
    assert.match(describeShowEvent(answers[2]!)!, /^> /)
  } finally {
    stop()
  }
})

test.run()
