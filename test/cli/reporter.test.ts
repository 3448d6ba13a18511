// The reporter: with --json one object per line and no human line; without, the human line
// only (or nothing); problems on stderr prefixed `synchro:`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Writable } from 'node:stream'
import { Reporter } from '../../src/cli/reporter.js'

function sink(): { stream: Writable; text: () => string } {
  let text = ''
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk)
      done()
    },
  })
  return { stream, text: () => text }
}

test('--json: each event is one JSON line, the human line is not printed', () => {
  const out = sink()
  const r = new Reporter<{ event: string; n?: number }>(true, out.stream)
  r.event({ event: 'a', n: 1 }, 'the human line')
  r.event({ event: 'b' }, null)
  assert.is(out.text(), '{"event":"a","n":1}\n{"event":"b"}\n')
})

test('--json: an event that cannot be JSON is one line on stderr, and the reporter goes on', () => {
  const out = sink()
  const err = sink()
  const r = new Reporter<{ event: string; n?: unknown }>(true, out.stream, err.stream)
  r.event({ event: 'joined', n: 1n }, null)
  r.event({ event: 'b' }, null)
  assert.is(out.text(), '{"event":"b"}\n')
  assert.is(err.text(), 'synchro: the joined event could not be written: Do not know how to serialize a BigInt\n')
})

test('without --json: the human line, and nothing for an event that has none', () => {
  const out = sink()
  const r = new Reporter<{ event: string }>(false, out.stream)
  r.event({ event: 'a' }, 'rig a joined')
  r.event({ event: 'stats' }, null)
  assert.is(out.text(), 'rig a joined\n')
})

test('problems go to the error stream, one line each, prefixed', () => {
  const out = sink()
  const err = sink()
  new Reporter<{ event: string }>(true, out.stream, err.stream).problem('cannot reach 10.0.0.5:7400: connection refused')
  assert.is(err.text(), 'synchro: cannot reach 10.0.0.5:7400: connection refused\n')
  assert.is(out.text(), '')
})

test.run()
