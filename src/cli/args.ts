// Flag parsing on node:util's parseArgs (strict: an unknown flag is an error), with
// the number checks every command needs. Errors are one line and exit 2.

import { parseArgs, type ParseArgsConfig } from 'node:util'
import { UsageError } from '../errors.js'

export type Options = NonNullable<ParseArgsConfig['options']>

export function parseCommand<O extends Options>(command: string, argv: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true })
  } catch (err) {
    const msg = (err as Error).message
      .replace(/^Unknown option '([^']+)'.*$/s, 'unknown option $1')
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/^Option '(--[\w-]+)(?: <value>)?' argument missing$/, '$1 needs a value')
      .replace(/^Unexpected argument '([^']+)'.*$/s, "unexpected argument '$1'")
    throw new UsageError('BAD_FLAG', `${msg} (see synchro ${command} --help)`)
  }
}

export function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError('BAD_FLAG', `--${name} must be a whole number, got '${value}'`)
  const n = Number(value)
  if (n < min || n > max) throw new UsageError('BAD_FLAG', `--${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

export function numberFlag(name: string, value: string | undefined, fallback: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return fallback
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError('BAD_FLAG', `--${name} must be a number, got '${value}'`)
  if (n < min || n > max) throw new UsageError('BAD_FLAG', `--${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

export function choiceFlag<T extends string>(name: string, value: string | undefined, fallback: T, choices: readonly T[]): T {
  if (value === undefined) return fallback
  if (!(choices as readonly string[]).includes(value)) throw new UsageError('BAD_FLAG', `--${name} must be one of ${choices.join(', ')}, got '${value}'`)
  return value as T
}

/** "host:port", "[::1]:port" or ":port". */
export function parseHostPort(text: string | undefined): { host: string; port: number } {
  if (!text) throw new UsageError('BAD_FLAG', 'join needs the server as HOST:PORT, e.g. synchro join 10.0.0.5:7400')
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text)
  if (!m) throw new UsageError('BAD_FLAG', `'${text}' is not HOST:PORT (e.g. 10.0.0.5:7400 or [::1]:7400)`)
  const port = Number(m[3])
  if (port < 1 || port > 65535) throw new UsageError('BAD_FLAG', `port must be 1-65535, got ${port}`)
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port }
}
