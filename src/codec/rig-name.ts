// What a rig's (or a show's) name may be, and when two names are the same rig. A name is
// what the operator types to kick or mute a rig and what tells performers apart, so one that
// cannot be typed back, or that passes for another, is refused (issue 14: names with double,
// leading, trailing or non-breaking spaces were accepted and could not be kicked from
// `--control`; zero-width characters made look-alikes). Checked on HELLO_REPLY, in profiles
// and on `--name`; the rules are docs/PROTOCOL.md's.

import { z } from 'zod'

/** HELLO_REPLY's `name` and HELLO's `serverName`, in UTF-16 units (docs/PROTOCOL.md). */
export const MAX_RIG_NAME_CHARS = 64
export const MAX_SERVER_NAME_CHARS = 128

/** Control (Cc), format (Cf: zero-width, bidi overrides), unassigned or private-use (Cn, Co), separators other than U+0020 (Zs, Zl, Zp). */
const UNTYPEABLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Zl}\p{Zp}\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u

/** Why `name` is not a name, or null when it is one. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'empty'
  if (UNTYPEABLE.test(name)) return 'printable characters and plain spaces only (no control, zero-width or non-breaking characters)'
  if (name !== name.trim() || name.includes('  ')) return 'no leading, trailing or double spaces'
  if (name !== name.normalize('NFC')) return 'not in Unicode NFC (compose its accents)'
  return null
}

/** A zod string that is a name of at most `maxChars` UTF-16 units; `emptyMessage` says what an empty one lacks. */
export const nameSchema = (maxChars: number, emptyMessage?: string) =>
  z
    .string()
    .min(1, emptyMessage)
    .max(maxChars)
    .superRefine((name, ctx) => {
      if (name.length === 0) return // said by min
      const problem = nameProblem(name)
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
    })

/** Two names are the same rig when they match without regard to case (Unicode default case folding, as toLowerCase). */
export function sameName(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  return a === b || a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase()
}
