// How the suite is split across cores: every file in exactly one shard, the JACK files
// together, and the slow files spread so no shard carries much more than its share.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
// @ts-expect-error: a plain .mjs script with no declarations; its two exports are used as they are.
import { JACK, SECONDS, shard } from '../../scripts/test-shards.mjs'

type Shard = { files: string[]; seconds: number }
const plan = shard as (files: string[], count: number) => { shards: Shard[]; alone: string[] }
const split = (files: string[], count: number) => plan(files, count).shards
const aloneOf = (files: string[]) => plan(files, 2).alone

const FILES = [
  ...Object.keys(SECONDS as Record<string, number>),
  'audio/device/match.test.ts',
  ...Array.from({ length: 100 }, (_, i) => `unit/u${i}.test.ts`),
]

test('every file lands in exactly one shard', () => {
  for (const count of [1, 2, 3, 4]) {
    const shards = split(FILES, count)
    const all = [...shards.flatMap((s) => s.files), ...aloneOf(FILES)].sort()
    assert.equal(all, [...FILES].sort(), `${count} shards`)
  }
})

test('the files that start jackd run on their own, in no shard', () => {
  const shards = split(FILES, 2)
  assert.ok(shards.every((s) => !s.files.some((f) => (JACK as RegExp).test(f))))
  assert.equal(aloneOf(FILES).sort(), [
    'audio/device/match.test.ts',
    'e2e/capture-faithful.test.ts',
    'e2e/card-faithful.test.ts',
    'e2e/devices.test.ts',
    'e2e/midi-ports.test.ts',
  ])
})

test('two shards carry about half each', () => {
  const [a, b] = split(FILES, 2)
  const total = a!.seconds + b!.seconds
  assert.ok(Math.abs(a!.seconds - b!.seconds) <= 0.1 * total, `${a!.seconds} s and ${b!.seconds} s`)
})

test('no empty shards when there are fewer files than cores', () => {
  assert.is(split(['a.test.ts'], 4).length, 1)
})

test.run()
