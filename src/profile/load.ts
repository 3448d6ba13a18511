// Reads a profile (JSON, or YAML for operators who want comments), validates it with the
// schema and reports every problem on its own line: "rigs[1].midi.channels[0]: expected
// 1-16, got 17".

import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { z } from 'zod'
import { ProfileError } from '../errors.js'
import { describeFsError } from '../fs-errors.js'
import { ShowProfileSchema, type ShowProfile } from './schema.js'

export function loadProfile(path: string): ShowProfile {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ProfileError([`cannot read profile ${path}: ${describeFsError(err)}`])
  }
  let data: unknown
  const yaml = ['.yaml', '.yml'].includes(extname(path).toLowerCase())
  try {
    data = yaml ? parseYaml(text) : JSON.parse(text)
  } catch (err) {
    throw new ProfileError([`${path} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message.split('\n')[0]}`])
  }
  return parseProfile(data, path)
}

export function parseProfile(data: unknown, where = 'profile'): ShowProfile {
  const parsed = ShowProfileSchema.safeParse(data)
  if (parsed.success) return parsed.data
  throw new ProfileError(parsed.error.issues.map((i) => `${where}: ${describeIssue(i, data)}`))
}

/** "rigs[1].midi.channels[0]: expected 1-16, got 17" */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '')
  let message = issue.message
  if (issue.code === 'unrecognized_keys')
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
  // A bad record key ("mapChannel": { "0": 3 }): the key is what is wrong, not its value.
  if (issue.code === 'invalid_key') return `${path}: ${issue.issues[0]?.message ?? message} as the key, got "${String(issue.path.at(-1))}"`
  const got = valueAt(input, issue.path)
  const shown = issue.code === 'unrecognized_keys' || got.missing ? '' : `, got ${JSON.stringify(got.value)}`
  return `${path || '(top level)'}: ${message}${shown}`
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { missing: boolean; value?: unknown } {
  let v: unknown = input
  for (const k of path) {
    if (v === null || typeof v !== 'object' || !(k in (v as object))) return { missing: true }
    v = (v as Record<PropertyKey, unknown>)[k]
  }
  return { missing: false, value: v }
}
