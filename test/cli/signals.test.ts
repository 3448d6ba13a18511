// Ctrl-C and SIGTERM reach the command's stop function with the signal's name, and the
// disposer takes the handlers away again (a finished command must not hold them).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { onStopSignals } from '../../src/cli/signals.js'

test('SIGINT and SIGTERM call stop with their names; after dispose, neither does', () => {
  const seen: string[] = []
  const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]
  const dispose = onStopSignals((sig) => seen.push(sig))
  process.emit('SIGINT')
  process.emit('SIGTERM')
  assert.equal(seen, ['SIGINT', 'SIGTERM'])
  dispose()
  assert.equal([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')], before)
})

test.run()
