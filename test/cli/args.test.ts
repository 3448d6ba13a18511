// Flag parsing: Synchro's own line for every mistake, worded from parseArgs' tokens.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseCommand, parseHostPort, refuseRetired } from '../../src/cli/args.js'
import { UsageError } from '../../src/errors.js'

const FLAGS = {
  port: { type: 'string' },
  json: { type: 'boolean' },
  'midi-in': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const

function problem(argv: string[], positionals = false): string {
  try {
    parseCommand('serve', argv, FLAGS, positionals)
  } catch (err) {
    assert.instance(err, UsageError)
    assert.is((err as UsageError).code, 'BAD_FLAG')
    return (err as Error).message
  }
  assert.unreachable(`accepted ${argv.join(' ')}`)
  return ''
}

test('good flags come back typed, repeatable ones as lists', () => {
  const { values, positionals } = parseCommand(
    'join',
    ['--port', '7400', '--json', '--midi-in', 'a', '--midi-in=b', '-h', 'x:1'],
    FLAGS,
    true,
  )
  assert.equal({ ...values }, { port: '7400', json: true, 'midi-in': ['a', 'b'], help: true })
  assert.equal(positionals, ['x:1'])
  assert.is(parseCommand('serve', ['--port', '-'], FLAGS, false).values.port, '-', '- alone is a value (stdin)')
  assert.is(parseCommand('serve', ['--port=-5'], FLAGS, false).values.port, '-5')
})

test('each mistake is one line naming the flag and the command', () => {
  assert.is(problem(['--loud']), 'unknown option --loud (see synchro serve --help)')
  assert.is(problem(['-x']), 'unknown option -x (see synchro serve --help)')
  assert.is(problem(['--port']), '--port needs a value (see synchro serve --help)')
  assert.is(problem(['--json', '--port']), '--port needs a value (see synchro serve --help)')
  assert.is(
    problem(['--port', '--json']),
    '--port needs a value (a value starting with - is written --port=--json) (see synchro serve --help)',
  )
  assert.is(problem(['--json=yes']), '--json takes no value (see synchro serve --help)')
  assert.is(problem(['extra']), "unexpected argument 'extra' (see synchro serve --help)")
  assert.is(problem(['--', '--port']), "unexpected argument '--port' (see synchro serve --help)")
  assert.is(
    problem(['--port', '1', '--loud', 'extra']),
    'unknown option --loud (see synchro serve --help)',
    'the first mistake is reported',
  )
})

test('a retired flag is refused with what replaces it, in either spelling; other flags and what follows -- are not looked at', () => {
  const retired = { loud: 'use --gain instead' }
  const refused = (argv: string[]): string => {
    try {
      refuseRetired('serve', argv, retired)
    } catch (err) {
      assert.instance(err, UsageError)
      assert.is((err as UsageError).code, 'BAD_FLAG')
      return (err as Error).message
    }
    return 'accepted'
  }
  assert.is(refused(['--port', '1', '--loud']), '--loud is gone: use --gain instead (see synchro serve --help)')
  assert.is(refused(['--loud=11']), '--loud is gone: use --gain instead (see synchro serve --help)')
  assert.is(refused(['--port', '1', '--louder', 'loud', '--name=--loud']), 'accepted')
  assert.is(refused(['--', '--loud']), 'accepted')
})

test('HOST:PORT, [v6]:PORT and :PORT', () => {
  assert.equal(parseHostPort('10.0.0.5:7400'), { host: '10.0.0.5', port: 7400 })
  assert.equal(parseHostPort('[::1]:7400'), { host: '::1', port: 7400 })
  assert.equal(parseHostPort(':7400'), { host: '127.0.0.1', port: 7400 })
  assert.throws(() => parseHostPort(undefined), /join needs the server as HOST:PORT, e\.g\. synchro join 10\.0\.0\.5:7400/)
  assert.throws(() => parseHostPort('localhost'), /'localhost' is not HOST:PORT/)
  assert.throws(() => parseHostPort('a:0'), /port must be 1-65535, got 0/)
  assert.throws(() => parseHostPort('a:65536'), /port must be 1-65535, got 65536/)
})

test.run()
