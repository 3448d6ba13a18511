// Flag parsing on node:util's parseArgs. It parses loosely with tokens and checks each token
// itself, so every mistake becomes Synchro's own line naming the flag (exit 2), whatever
// words Node uses in its own messages.

import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../errors.js'
import { LIMITS } from '../codec/limits.js'

export type Options = NonNullable<ParseArgsConfig['options']>

type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number]

/** What is wrong with one token, or null. */
function problemWith(token: Token, options: Options, allowPositionals: boolean): string | null {
  if (token.kind === 'positional') return allowPositionals ? null : `unexpected argument '${token.value}'`
  if (token.kind !== 'option') return null
  const option = options[token.name]
  if (option === undefined) return `unknown option ${token.rawName}`
  if (option.type === 'boolean') return token.value === undefined ? null : `${token.rawName} takes no value`
  if (token.value === undefined) return `${token.rawName} needs a value`
  // `--port --json`: the next flag is not a value ("-" alone is: stdin).
  if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-')) {
    return `${token.rawName} needs a value (a value starting with - is written ${token.rawName}=${token.value})`
  }
  return null
}

export function parseCommand<O extends Options>(command: string, argv: string[], options: O, allowPositionals: boolean) {
  const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true })
  for (const token of parsed.tokens) {
    const problem = problemWith(token, options, allowPositionals)
    if (problem !== null) throw new UsageError('BAD_FLAG', `${problem} (see synchro ${command} --help)`)
  }
  // Every token checked: the loose parse now holds exactly what a strict one would.
  return parseArgs({ args: argv, options, allowPositionals, strict: true })
}

/** A flag that is gone (`--name`, `--name=V`) is refused with what replaces it, before anything else is read. */
export function refuseRetired(command: string, argv: readonly string[], retired: Readonly<Record<string, string>>): void {
  for (const arg of argv) {
    if (arg === '--') return
    const name = /^--([^=]+)/.exec(arg)?.[1]
    const instead = name === undefined ? undefined : retired[name]
    if (instead !== undefined) throw new UsageError('BAD_FLAG', `--${name} is gone: ${instead} (see synchro ${command} --help)`)
  }
}

/** "host:port", "[::1]:port" or ":port". */
export function parseHostPort(text: string | undefined): { host: string; port: number } {
  if (!text) throw new UsageError('BAD_FLAG', 'join needs the server as HOST:PORT, e.g. synchro join 10.0.0.5:7400')
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text)
  if (!m) throw new UsageError('BAD_FLAG', `'${text}' is not HOST:PORT (e.g. 10.0.0.5:7400 or [::1]:7400)`)
  const port = Number(m[3])
  // A port to reach: 0 ("any") is only for listening.
  if (port < 1 || port > LIMITS.port.max) throw new UsageError('BAD_FLAG', `port must be 1-${LIMITS.port.max}, got ${port}`)
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port }
}
