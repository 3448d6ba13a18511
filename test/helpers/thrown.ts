// The error a call throws, for tests that assert its class, code and message.
import * as assert from 'uvu/assert'

export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn()
  } catch (err) {
    assert.instance(err, Error)
    return err as Error & { code?: string }
  }
  throw new assert.Assertion({ message: 'expected it to throw', operator: 'throws', expects: 'an error', actual: 'nothing thrown' })
}
