// The option types of the commands' schemas. A value comes as a string (a flag, from
// parseArgs) or already typed (a profile, validated by its own schema); both are coerced
// here, and a bad one gets the line a stage tech reads: "--frames must be between 16 and
// 16384, got 3". The first problem found is the one reported, as one UsageError.

import { z } from 'zod'
import { UsageError } from '../errors.js'
import { LIMITS, type Limit } from '../codec/limits.js'
import { parseDeviceBuffer } from '../audio/device/buffer-size.js'
import { nameProblem } from '../codec/rig-name.js'

type Range = Pick<Limit, 'min' | 'max'>

const rangeProblem = (flag: string, r: Range, n: number): string | null =>
  n < r.min || n > r.max ? `--${flag} must be between ${r.min} and ${r.max}, got ${n}` : null

/** A whole number ("128" or 128); with a range, within it. */
export function wholeNumber(flag: string, range?: Range) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const whole = typeof value === 'number' ? Number.isInteger(value) : /^-?\d+$/.test(value.trim())
    if (!whole) {
      ctx.addIssue({ code: 'custom', message: `--${flag} must be a whole number, got '${value}'` })
      return z.NEVER
    }
    const n = Number(value)
    const problem = range ? rangeProblem(flag, range, n) : null
    if (problem !== null) {
      ctx.addIssue({ code: 'custom', message: problem })
      return z.NEVER
    }
    return n
  })
}

/** A name (`--name`, a rig's or the show's): composed to NFC, then held to src/codec/rig-name.ts's rules. */
export function nameFlag(flag: string, maxChars: number) {
  return z.string().transform((value, ctx) => {
    const name = value.normalize('NFC')
    const problem = name.length > maxChars ? `at most ${maxChars} characters, got ${name.length}` : nameProblem(name)
    if (problem !== null) {
      ctx.addIssue({ code: 'custom', message: `--${flag}: ${problem}` })
      return z.NEVER
    }
    return name
  })
}

/** Any finite number ("0.5" or 0.5) within a range. */
export function decimal(flag: string, range: Range) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const n = Number(value)
    if ((typeof value === 'string' && value.trim() === '') || !Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `--${flag} must be a number, got '${value}'` })
      return z.NEVER
    }
    const problem = rangeProblem(flag, range, n)
    if (problem !== null) {
      ctx.addIssue({ code: 'custom', message: problem })
      return z.NEVER
    }
    return n
  })
}

/** One of a few words. */
export function choice<const T extends readonly [string, ...string[]]>(flag: string, choices: T) {
  return z.string().transform((value, ctx): T[number] => {
    if ((choices as readonly string[]).includes(value)) return value
    ctx.addIssue({ code: 'custom', message: `--${flag} must be one of ${choices.join(', ')}, got '${value}'` })
    return z.NEVER
  })
}

/** A sound card's buffer: frames ("128", 128) or milliseconds ("2.5ms"); parseDeviceBuffer words the problems. */
export function deviceBuffer() {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      return parseDeviceBuffer(String(value), LIMITS.deviceBufferFrames.default)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
      return z.NEVER
    }
  })
}

/** Parses merged options once; the first problem becomes the one line the operator sees. */
export function checkOptions<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const first = parsed.error.issues[0]
  throw new UsageError('BAD_FLAG', first?.message ?? 'invalid options')
}

/** `--ping-ms` is the option `pingMs`: flags are kebab-case, options camelCase. */
export function flagName(option: string): string {
  return option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

export function optionName(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
}

/** parseArgs' values under option names, leaving out what was not given. */
export function optionsFromFlags(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [flag, value] of Object.entries(values)) if (value !== undefined) out[optionName(flag)] = value
  return out
}
