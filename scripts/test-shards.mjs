// How the suite is split into shards (scripts/run-tests.mjs): pure, so the split is tested
// apart from the processes that run it.

/**
 * Seconds each slow file takes alone (measured on the 2-core machine, `CI=true`, one file per
 * run); any other file counts as UNIT_S. Only the balance between shards depends on these.
 */
export const SECONDS = {
  'e2e/udp.test.ts': 49,
  'e2e/devices.test.ts': 45,
  'e2e/card-faithful.test.ts': 6,
  'e2e/capture-faithful.test.ts': 25,
  'e2e/streaming.test.ts': 28,
  'e2e/midi.test.ts': 24,
  'e2e/errors.test.ts': 20,
  'e2e/show-clock.test.ts': 13,
  'e2e/clock.test.ts': 9,
  'e2e/profile.test.ts': 8,
  'e2e/wav-files.test.ts': 5,
  'e2e/events.test.ts': 3.5,
  'e2e/hostile-peers.test.ts': 3.5,
  'e2e/sync-view.test.ts': 2,
  'e2e/midi-ports.test.ts': 4,
  'e2e/console.test.ts': 4,
}
const UNIT_S = 0.2
/**
 * Files that start jackd (test/helpers/audio-loopback.ts and the MIDI-port tests): run on
 * their own after the shards. Beside another shard's shows, JACK's dummy card glitched: a
 * 128-frame hole in a captured tone in 1 of 6 suite runs (e2e/devices), never in runs alone.
 */
export const JACK = /^(e2e\/devices|e2e\/card-faithful|e2e\/capture-faithful|e2e\/midi-ports|audio\/device\/)/

/**
 * The files as `count` shards to run at once, longest first onto the lightest, and the
 * JACK files (`alone`) to run after them by themselves.
 */
export function shard(files, count) {
  const shards = Array.from({ length: count }, () => ({ files: [], seconds: 0 }))
  const cost = (f) => SECONDS[f] ?? UNIT_S
  const alone = files.filter((f) => JACK.test(f))
  for (const f of files.filter((f) => !JACK.test(f)).sort((a, b) => cost(b) - cost(a))) {
    const lightest = shards.reduce((a, b) => (b.seconds < a.seconds ? b : a))
    lightest.files.push(f)
    lightest.seconds += cost(f)
  }
  return { shards: shards.filter((s) => s.files.length > 0), alone }
}
