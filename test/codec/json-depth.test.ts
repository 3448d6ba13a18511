// The nesting of a peer's JSON, measured without recursion.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { nestsDeeperThan } from '../../src/codec/json-depth.js'

test('scalars nest 0 levels; each object or array is one; the deepest branch counts', () => {
  assert.is(nestsDeeperThan(1, 0), false)
  assert.is(nestsDeeperThan(null, 0), false)
  assert.is(nestsDeeperThan({}, 0), true)
  assert.is(nestsDeeperThan({}, 1), false)
  assert.is(nestsDeeperThan({ a: 1, b: [2, { c: 3 }] }, 3), false)
  assert.is(nestsDeeperThan({ a: 1, b: [2, { c: [] }] }, 3), true)
  assert.is(nestsDeeperThan([[], [[[]]], []], 3), true)
})

test('a million levels are measured without overflowing the stack', () => {
  const deep = JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000))
  assert.is(nestsDeeperThan(deep, 8), true)
})

test.run()
