// Reading a command's --help and the README's flag table, to test them against the options schema.

/** Each flag's paragraph in a --help text: from its line to the next flag's. */
export function helpParagraphs(help: string): Map<string, string> {
  const out = new Map<string, string>()
  let current: string | undefined
  for (const line of help.split('\n')) {
    const m = /^ {2}--([a-z-]+)/.exec(line)
    if (m) out.set((current = m[1]!), line)
    else if (current !== undefined && /^ {3,}\S/.test(line)) out.set(current, `${out.get(current)} ${line.trim()}`)
    else current = undefined
  }
  return out
}

/** The README table under `heading`: each flag with its default cell ('' for none). */
export function readmeDefaults(readme: string, heading: string): Map<string, string> {
  const start = readme.indexOf(heading)
  if (start < 0) throw new Error(`no ${heading} in the README`)
  const out = new Map<string, string>()
  for (const line of readme.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim())
    if (cells.length < 3 || !cells[0]!.startsWith('`--')) continue
    const flags = [...cells[0]!.matchAll(/`--([a-z-]+)/g)].map((m) => m[1]!)
    const defaults = cells[1] === '' ? [] : cells[1]!.split(', ').map((d) => d.replace(/`/g, ''))
    if (defaults.length !== 0 && defaults.length !== flags.length) {
      throw new Error(`README row ${cells[0]}: ${flags.length} flags, ${defaults.length} defaults`)
    }
    flags.forEach((f, i) => out.set(f, defaults[i] ?? ''))
  }
  return out
}

/** How a default reads in help and README: booleans off and empty lists are not written. */
export function shownDefault(value: unknown): string | undefined {
  if (value === undefined || value === false) return undefined
  if (Array.isArray(value) && value.length === 0) return undefined
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return undefined
  return String(value)
}
