// The suite on every core: the test files split into shards, one uvu process each, run at
// once. The end-to-end files wait on real time (shows play at real-time pace), so one
// process leaves a core idle; two shards bring the suite from ~205 s to about half on this
// project's 2-core machine. Files that start a private JACK server (the sound-card and
// MIDI-port tests) run after the shards, on their own (scripts/test-shards.mjs says why). Each shard's output is printed whole when it ends, then the totals in
// uvu's own words ("Total:", "Passed:"), which .ci/run reads.
// usage: node scripts/run-tests.mjs [SHARDS]   (default: the machine's cores, at most 4)
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { shard } from './test-shards.mjs'

const ROOT = new URL('..', import.meta.url).pathname
const TEST_DIR = join(ROOT, 'test')
const TEST_FILE = /\.test\.tsx?$/

function testFiles(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...testFiles(path))
    else if (TEST_FILE.test(entry.name)) out.push(relative(TEST_DIR, path).split(sep).join('/'))
  }
  return out
}

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function run(files) {
  const pattern = `^(?:${files.map(escapeRegex).join('|')})$`
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'node_modules/uvu/bin.js'), 'test', pattern], {
    cwd: ROOT,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.test.json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c) => (out += c))
  child.stderr.on('data', (c) => (out += c))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, out })))
}

const count = Number(process.argv[2] ?? Math.min(4, availableParallelism()))
const { shards, alone } = shard(testFiles(TEST_DIR), Math.max(1, count))
const started = performance.now()
const results = await Promise.all(
  shards.map(async (s) => {
    const r = await run(s.files)
    process.stdout.write(r.out)
    return r
  }),
)
if (alone.length > 0) {
  const r = await run(alone)
  process.stdout.write(r.out)
  results.push(r)
}
let total = 0
let passed = 0
let skipped = 0
let crashed = 0
for (const { code, out } of results) {
  const text = stripVTControlCharacters(out)
  const n = (label) => Number(text.match(new RegExp(`^\\s*${label}:\\s*(\\d+)`, 'm'))?.[1] ?? Number.NaN)
  if (Number.isNaN(n('Total'))) {
    crashed++ // a file that failed to load: uvu never counted, so it is one failure here
    continue
  }
  total += n('Total')
  passed += n('Passed')
  skipped += n('Skipped') || 0
  if (code !== 0 && n('Total') === n('Passed')) crashed++
}
total += crashed
const seconds = ((performance.now() - started) / 1000).toFixed(1)
process.stdout.write(
  `\n  ${shards.length} shards${alone.length > 0 ? ', then the JACK files alone' : ''}\n  Total:     ${total}\n  Passed:    ${passed}\n  Skipped:   ${skipped}\n  Duration:  ${seconds}s\n\n`,
)
process.exit(results.every((r) => r.code === 0) && crashed === 0 ? 0 : 1)
