// How deeply a parsed JSON value nests, measured without recursion: a peer's payload is
// bounded before anything walks it. 16 KiB of `[[[[…` nests 8,100 deep, and at about 4,200
// levels JSON.stringify overflows the stack (issue 14: one such HELLO_REPLY over UDP crashed
// the server while printing the `joined` event).

/** The most a control payload may nest: the deepest schema (REPORT's sync) is 2, meta has room to 8. */
export const MAX_CONTROL_DEPTH = 8

/** true when `value` nests deeper than `max` levels (an object or array is a level; scalars are none). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]]
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth] = item
    if (v === null || typeof v !== 'object') continue
    if (depth + 1 > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1])
  }
  return false
}
