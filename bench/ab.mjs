// Before and after, in the same run: the TCP fan-out CPU bench and the UDP/TCP latency bench
// of this checkout (A) and of another built checkout (B, e.g. `git worktree add ../before
// <commit> && (cd ../before && npm run build)`), run in turn A B A B … so that both see the
// same machine, with the median of each figure and the ratio A/B. A behaviour-preserving
// change should read ~1.0; the machine is shared and noisy, so only the ratios mean much.
//
//   node --import tsx bench/ab.mjs ../before [rounds=3] [fanout,latency,show,midi]
//
// Sections: fanout (TCP fan-out CPU, 1/8/32 rigs), latency (UDP and TCP one-way at 128
// frames, --latency 5), show (issue 12's target: UDP at 64 frames and --latency 2 on the show
// clock, with the share of frames the rig concealed), midi (immediate MIDI one-way, TCP and
// UDP). Each beside its bare relay from the same round.
import { resolve } from 'node:path'
import { fmt, percentile, ROOT } from './lib.mjs'

const other = process.argv[2]
if (!other) {
  console.error('usage: node --import tsx bench/ab.mjs OTHER_CHECKOUT [ROUNDS] [SECTIONS]')
  process.exit(2)
}
const rounds = Number(process.argv[3] ?? 3)
const sections = new Set((process.argv[4] ?? 'fanout,latency').split(','))
const trees = { A: ROOT, B: resolve(other) }

async function measureTree(root) {
  const { fanoutCpu } = await import(`${root}/bench/fanout.mjs`)
  const { latency } = await import(`${root}/bench/latency.mjs`)
  const { midiLatency } = await import(`${root}/bench/midi-latency.mjs`)
  const out = {}
  for (const rigs of sections.has('fanout') ? [1, 8, 32] : []) {
    const r = await fanoutCpu(rigs, 128)
    out[`fanout ${rigs} rigs CPU %`] = r.synchroCpu
    out[`fanout ${rigs} rigs bare CPU %`] = r.bareCpu
  }
  for (const transport of sections.has('latency') ? ['udp', 'tcp'] : []) {
    const l = await latency(128, 60, { transport, latencyMs: 5 })
    out[`${transport} latency p50 ms`] = l.p50
    out[`${transport} latency p99 ms`] = l.p99
    out[`${transport} bare relay p50 ms`] = l.bareP50
  }
  if (sections.has('show')) {
    const l = await latency(64, 150, { transport: 'udp', latencyMs: 2 })
    out['show udp 2 p50 ms'] = l.p50
    out['show udp 2 p99 ms'] = l.p99
    out['show udp 2 concealed %'] = l.concealedPct
    out['show bare relay p50 ms'] = l.bareP50
    out['show bare relay p99 ms'] = l.bareP99
  }
  for (const transport of sections.has('midi') ? ['tcp', 'udp'] : []) {
    const m = await midiLatency(transport, 300)
    out[`midi ${transport} p50 ms`] = m.p50
    out[`midi ${transport} p99 ms`] = m.p99
    out[`midi ${transport} bare p50 ms`] = m.bareP50
    out[`midi ${transport} bare p99 ms`] = m.bareP99
  }
  return out
}

const runs = { A: [], B: [] }
for (let k = 0; k < rounds; k++) {
  for (const side of ['A', 'B']) {
    console.error(`round ${k + 1}/${rounds}: ${side} (${trees[side]})`)
    runs[side].push(await measureTree(trees[side]))
  }
}

const median = (side, key) =>
  percentile(
    runs[side].map((r) => r[key]),
    50,
  )
console.log(`A = ${trees.A}\nB = ${trees.B}\n${rounds} rounds, medians\n`)
console.log('figure'.padEnd(32), 'A'.padStart(8), 'B'.padStart(8), 'A/B'.padStart(6))
for (const key of Object.keys(runs.A[0])) {
  const a = median('A', key)
  const b = median('B', key)
  console.log(key.padEnd(32), fmt(a).padStart(8), fmt(b).padStart(8), fmt(a / b).padStart(6))
}
// Synchro's fan-out CPU over the bare server's, in each tree: the figure BENCHMARKS.md quotes.
for (const rigs of sections.has('fanout') ? [1, 8, 32] : []) {
  const ratio = (side) => median(side, `fanout ${rigs} rigs CPU %`) / median(side, `fanout ${rigs} rigs bare CPU %`)
  console.log(`fanout ${rigs} rigs synchro/bare`.padEnd(32), fmt(ratio('A')).padStart(8), fmt(ratio('B')).padStart(8))
}
process.exit(0)
