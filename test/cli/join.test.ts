// synchro join, in-process: --help, one line for bad flags, a whole session with --json.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { join } from '../../src/cli/join.js'
import { JOIN_HELP } from '../../src/cli/join-options.js'
import { openShow } from '../../src/cli/show.js'
import { serveSettings } from '../../src/cli/serve-options.js'
import { UsageError } from '../../src/errors.js'
import { captureStdout } from '../helpers/stdout.js'

test('--help prints the help and exits 0', async () => {
  const out = captureStdout()
  try {
    assert.is(await join(['--help']), 0)
  } finally {
    out.restore()
  }
  assert.is(out.text(), JOIN_HELP)
})

test('a bad flag is a UsageError with one line', async () => {
  try {
    await join(['127.0.0.1:1', '--latency=-1'])
    assert.unreachable('accepted')
  } catch (err) {
    assert.instance(err, UsageError)
    assert.is((err as Error).message, '--latency must be between 0 and 10000, got -1')
  }
})

test('a session with --json: handshake, INIT, summary; exit 0 when the server terminates', async () => {
  const show = await openShow(serveSettings({}, { host: '127.0.0.1', port: '0', duration: '0.3', name: 'foh' }, 'serve'), () => {})
  const out = captureStdout()
  let code: number
  try {
    code = await join([`127.0.0.1:${show.port}`, '--name', 'j', '--json'])
  } finally {
    out.restore()
  }
  await show.done
  assert.is(code, 0)
  const names = out.events().map((e) => e.event)
  for (const name of ['handshake', 'init', 'terminate', 'summary']) assert.ok(names.includes(name), `${name} in ${names}`)
  const summary = out.events().find((e) => e.event === 'summary')!
  assert.equal([summary.ok, summary.sessions, summary.reason], [true, 1, 'duration of 0.3 s reached'])
})

test.run()
