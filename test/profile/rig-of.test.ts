// Which rig of a profile a join is.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseProfile } from '../../src/profile/load.js'
import { rigOf } from '../../src/profile/rig-of.js'
import { UsageError } from '../../src/errors.js'

const code = (f: () => unknown): string => {
  try {
    f()
  } catch (err) {
    assert.instance(err, UsageError)
    return `${(err as UsageError).code}: ${(err as Error).message}`
  }
  return 'accepted'
}

test('by name, or the only rig listed', () => {
  const two = parseProfile({ name: 'Show', rigs: [{ name: 'a' }, { name: 'b' }] })
  assert.is(rigOf(two, 'b').name, 'b')
  assert.is(rigOf(parseProfile({ name: 'Show', rigs: [{ name: 'solo' }] }), undefined).name, 'solo')
})

test('a name not listed, or several rigs and no name: say which', () => {
  const two = parseProfile({ name: 'Show', rigs: [{ name: 'a' }, { name: 'b' }] })
  assert.is(
    code(() => rigOf(two, 'c')),
    "UNKNOWN_RIG: profile 'Show' lists no rig named 'c' (rigs: a, b)",
  )
  assert.is(
    code(() => rigOf(two, undefined)),
    "WHICH_RIG: profile 'Show' lists rigs a, b: say which this is with --name",
  )
  const none = parseProfile({ name: 'Show' })
  assert.is(
    code(() => rigOf(none, undefined)),
    "WHICH_RIG: profile 'Show' lists no rigs: say which this is with --name",
  )
  assert.is(
    code(() => rigOf(none, 'a')),
    "UNKNOWN_RIG: profile 'Show' lists no rig named 'a' (rigs: none)",
  )
})

test.run()
