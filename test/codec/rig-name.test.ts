// What a name may be (docs/PROTOCOL.md, HELLO_REPLY): one the operator can type back to kick
// or mute the rig, and that cannot pass for another.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { nameProblem, nameSchema, sameName } from '../../src/codec/rig-name.js'

test('plain names, with single spaces and any script, are names', () => {
  for (const n of ['stage-left', 'Stage Left 2', 'Bühne links', 'ステージ', 'drums (pi-4)']) assert.is(nameProblem(n), null, n)
})

test('spaces an operator cannot see or type back are refused, each for its reason', () => {
  const spacing = 'no leading, trailing or double spaces'
  const untypeable = 'printable characters and plain spaces only (no control, zero-width or non-breaking characters)'
  assert.is(nameProblem(' drums'), spacing)
  assert.is(nameProblem('drums '), spacing)
  assert.is(nameProblem('stage  left'), spacing)
  assert.is(nameProblem('stage\u00a0left'), untypeable, 'non-breaking space')
  assert.is(nameProblem('dr\u200bums'), untypeable, 'zero-width space')
  assert.is(nameProblem('drums\u202e'), untypeable, 'right-to-left override')
  assert.is(nameProblem('a\tb'), untypeable, 'a tab')
  assert.is(nameProblem('a\u2028b'), untypeable, 'a line separator')
  assert.is(nameProblem('Bu\u0308hne'), 'not in Unicode NFC (compose its accents)')
  assert.is(nameProblem(''), 'empty')
})

test('the schema holds a name to the rules and the length', () => {
  const s = nameSchema(8, 'expected a name')
  assert.ok(s.safeParse('drums').success)
  assert.is(s.safeParse('').error?.issues[0]?.message, 'expected a name')
  assert.is(s.safeParse('drums kit').error?.issues.length, 1, 'over 8')
  assert.is(s.safeParse('dr\u200bums').error?.issues[0]?.message.startsWith('printable characters'), true)
})

test('two names are one rig whatever their case or composition', () => {
  assert.ok(sameName('Drums', 'drums'))
  assert.ok(sameName('BÜHNE', 'bühne'))
  assert.ok(sameName('Bu\u0308hne', 'Bühne'))
  assert.not.ok(sameName('drums', 'drum'))
  assert.not.ok(sameName(undefined, 'drums'), 'a rig still in its handshake has no name yet')
})

test.run()
