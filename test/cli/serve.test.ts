// synchro serve, in-process: --help, one line for bad flags, a whole show with --json.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { serve } from '../../src/cli/serve.js'
import { SERVE_HELP } from '../../src/cli/serve-options.js'
import { joinSettings } from '../../src/cli/join-options.js'
import { connectTo, openRigMedia, startSession } from '../../src/cli/rig.js'
import { UsageError } from '../../src/errors.js'
import { captureStdout } from '../helpers/stdout.js'
import { until } from '../helpers/transport-pairs.js'

test('--help prints the help and exits 0', async () => {
  const out = captureStdout()
  try {
    assert.is(await serve(['--help']), 0)
  } finally {
    out.restore()
  }
  assert.is(out.text(), SERVE_HELP)
})

test('a bad flag is a UsageError with one line', async () => {
  try {
    await serve(['--port', 'abc'])
    assert.unreachable('accepted')
  } catch (err) {
    assert.instance(err, UsageError)
    assert.is((err as Error).message, "--port must be a whole number, got 'abc'")
  }
})

test('a show with --json: listening, a rig, the summary; exit 0', async () => {
  const out = captureStdout()
  try {
    const done = serve(['--host', '127.0.0.1', '--port', '0', '--duration', '0.3', '--json'])
    await until(() => out.events().some((e) => e.event === 'listening'), 5000)
    const port = out.events().find((e) => e.event === 'listening')!.port
    const s = joinSettings({}, { name: 'r' }, [`127.0.0.1:${port}`])
    const media = openRigMedia(
      s,
      () => {},
      () => {},
      () => {},
    )
    const rig = startSession(s, media, await connectTo(s, 'tcp', 2000), () => {})
    assert.is(await done, 0)
    await rig.done
    await media.close()
  } finally {
    out.restore()
  }
  const summary = out.events().find((e) => e.event === 'summary')!
  assert.equal([summary.reason, summary.rigsJoined], ['duration of 0.3 s reached', 1])
})

test.run()
