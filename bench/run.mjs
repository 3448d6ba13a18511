// npm run bench: every figure beside a bare Node baseline from the same run.
// BENCH_QUICK=1 runs a smaller sweep; BENCH_ONLY=fanout,udp-latency (comma-separated section
// names, as printed after "==") runs only those sections.
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { benchCodec } from './codec.mjs'
import { fanoutCpu } from './fanout.mjs'
import { latency } from './latency.mjs'
import { delivery } from './delivery.mjs'
import { udpFanout } from './udp-fanout.mjs'
import { concealmentSnr } from './concealment.mjs'
import { redundancy } from './redundancy.mjs'
import { midiLatency } from './midi-latency.mjs'
import { midiDue } from './midi-due.mjs'
import { midiAlign } from './midi-align.mjs'
import { deviceLatency, deviceShowClock, deviceSoak } from './device-latency.mjs'
import { cardSoak, cardWindows } from './card-windows.mjs'
import { captureWindows } from './capture-windows.mjs'
import { bareSkew, pairSkew, SNAPCAST_CASES, SYNCHRO_CASES, snapcastSkew, synchroSkew } from './skew.mjs'
import { ROOT, fmt } from './lib.mjs'

const quick = process.env.BENCH_QUICK === '1'
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined
/** Whether a section runs: all of them unless BENCH_ONLY names some. */
const runs = (section) => only === undefined || only.has(section)
const results = { date: new Date().toISOString(), node: process.version, codec: [], fanout: [], packetSize: [] }

if (runs('codec')) {
  console.log('== codec: AUDIO frames (48 kHz stereo s16), Synchro vs a bare length-prefix framer')
  for (const frames of [128]) {
    const r = benchCodec(frames)
    results.codec.push(r)
    console.log(`encode ${fmt(r.encodePerS / 1e6)} M frames/s (bare ${fmt(r.bareEncodePerS / 1e6)}), ratio ${fmt(r.encodeRatio)}`)
    console.log(`deframe ${fmt(r.decodePerS / 1e6)} M frames/s (bare ${fmt(r.bareDecodePerS / 1e6)}), ratio ${fmt(r.decodeRatio)}`)
  }
}

if (runs('fanout')) {
  console.log('\n== fan-out: server CPU %, 48 kHz stereo s16 over TCP, 128 frames/packet')
  for (const rigs of quick ? [1, 8] : [1, 8, 32]) {
    const r = await fanoutCpu(rigs, 128)
    results.fanout.push(r)
    console.log(
      `${rigs} rigs: synchro ${fmt(r.synchroCpu, 1)}%, bare ${fmt(r.bareCpu, 1)}%, ratio ${fmt(r.synchroCpu / r.bareCpu)}; ${fmt(r.packetsPerRigPerS, 0)} packets/s/rig, ${r.gaps} seq gaps`,
    )
  }
  const [lo, hi] = [results.fanout[0], results.fanout.at(-1)]
  const slope = (hi.synchroCpu - lo.synchroCpu) / (hi.rigs - lo.rigs)
  const bareSlope = (hi.bareCpu - lo.bareCpu) / (hi.rigs - lo.rigs)
  results.perRig = { synchro: slope, bare: bareSlope }
  console.log(`marginal CPU per rig: synchro ${fmt(slope, 3)}%, bare ${fmt(bareSlope, 3)}%, ratio ${fmt(slope / bareSlope)}`)
}

if (runs('packet-size')) {
  console.log(
    "\n== packet size: one-way latency in ms on loopback (delivery: to the rig's socket; playout: out of join --sink raw:- --latency 0), and server CPU for 8 rigs",
  )
  for (const frames of quick ? [64, 128, 256] : [32, 64, 128, 256, 512, 1024]) {
    // About 8 s of impulses per point, however long the packets (at least 30 impulses).
    const count = Math.max(30, Math.min(100, Math.round(8000 / (20 * (frames / 48)))))
    const d = await delivery(frames, quick ? 30 : count)
    const l = await latency(frames, quick ? 30 : count)
    const c = await fanoutCpu(8, frames)
    results.packetSize.push({ ...l, delivery: d, synchroCpu: c.synchroCpu, bareCpu: c.bareCpu })
    console.log(
      `${String(frames).padStart(4)} frames (${fmt(l.packetMs)} ms): delivery p50 ${fmt(d.p50)} p99 ${fmt(d.p99)} (bare ${fmt(d.bareP50)} / ${fmt(d.bareP99)}); ` +
        `through a rig's playout p50 ${fmt(l.p50)} p99 ${fmt(l.p99)} (bare relay ${fmt(l.bareP50)} / ${fmt(l.bareP99)}); ` +
        `CPU 8 rigs ${fmt(c.synchroCpu, 1)}% (bare ${fmt(c.bareCpu, 1)}%)`,
    )
  }
}

if (runs('udp-latency')) {
  console.log(
    '\n== UDP: one-way latency of an impulse, serve --source raw:- --latency 5 to join --sink raw:-, 128 frames/packet (after 3 s)',
  )
  results.udpLatency = []
  for (const transport of ['udp', 'tcp']) {
    const l = await latency(128, quick ? 30 : 100, { transport, latencyMs: 5 })
    results.udpLatency.push({ transport, ...l })
    console.log(
      `${transport}: p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms (bare ${transport} relay p50 ${fmt(l.bareP50)}, p99 ${fmt(l.bareP99)})`,
    )
  }
}

if (runs('show-latency')) {
  console.log(
    '\n== show latency (issue 12): one-way latency of an impulse through serve --source raw:- --latency MS to join --sink raw:- on the show clock, 64 frames/packet, ' +
      'the source paced exactly from a thread; with the share of frames the rig concealed, beside a bare relay fed the same way',
  )
  results.showLatency = []
  for (const [transport, latencyMs] of [
    ['udp', 2],
    ['udp', 3],
    ['udp', 5],
    ['tcp', 2],
    ['tcp', 5],
  ]) {
    const l = await latency(64, quick ? 30 : 150, { transport, latencyMs })
    results.showLatency.push({ transport, ...l })
    console.log(
      `${transport} --latency ${latencyMs}: p50 ${fmt(l.p50)} ms, p99 ${fmt(l.p99)} ms, concealed ${fmt(l.concealedPct ?? Number.NaN, 3)} %, ` +
        `${l.missed} of ${l.impulses + l.missed} impulses missed, ${l.syncState} (bare ${transport} relay p50 ${fmt(l.bareP50)}, p99 ${fmt(l.bareP99)})`,
    )
  }
}

if (runs('udp-fanout')) {
  console.log('\n== UDP fan-out capacity: 48 kHz stereo s16, 128 frames/packet; clean = no seq gap, no packet > 20 ms late')
  results.udpFanout = []
  for (const rigs of quick ? [1, 32, 64] : [1, 32, 64, 128, 192, 256]) {
    const r = await udpFanout(rigs)
    results.udpFanout.push(r)
    console.log(
      `${String(rigs).padStart(3)} rigs: synchro CPU ${fmt(r.synchro.cpu, 1)}% gaps ${r.synchro.gaps} late ${r.synchro.late} ${r.synchroClean ? 'clean' : 'NOT clean'}; ` +
        `bare dgram CPU ${fmt(r.bare.cpu, 1)}% gaps ${r.bare.gaps} late ${r.bare.late} ${r.bareClean ? 'clean' : 'NOT clean'}; CPU ratio ${fmt(r.synchro.cpu / r.bare.cpu)}`,
    )
  }
}

if (runs('midi-latency')) {
  console.log(
    '\n== MIDI: one-way latency, bytes into serve --midi-in raw:- to the line out of join --midi-timing immediate --midi-out log --json (300 note-ons, 10 ms apart)',
  )
  results.midiLatency = []
  for (const transport of ['tcp', 'udp']) {
    const m = await midiLatency(transport, quick ? 100 : 300)
    results.midiLatency.push(m)
    console.log(
      `${transport}: p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms, ${m.delivered}/${m.messages} delivered (bare ${transport} relay p50 ${fmt(m.bareP50)}, p99 ${fmt(m.bareP99)}); p50 ratio ${fmt(m.p50 / m.bareP50)}`,
    )
  }
}

if (runs('midi-due')) {
  console.log(
    '\n== MIDI due times: how late a callback for a set time fires on the event loop (500 each, 2-12 ms ahead), ms; CPU per callback',
  )
  const r = await midiDue(quick ? 200 : 500)
  results.midiDue = r
  const line = (s) =>
    `late p50 ${fmt(s.p50, 3)} p99 ${fmt(s.p99, 3)} max ${fmt(s.max, 3)}, earliest ${fmt(s.min, 3)}; CPU ${fmt(s.cpuMsEach, 3)} ms each`
  console.log(`setTimeout: ${line(r.plain)}`)
  for (const [early, s] of Object.entries(r.due))
    console.log(`DueTimer, timer ${early} ms early then polls${Number(early) === r.defaultEarlyMs ? ' (the default)' : ''}: ${line(s)}`)
}

if (runs('midi-align')) {
  console.log(
    "\n== MIDI to audio on one rig: an impulse train into serve --source raw:- and a note-on per impulse into --midi-in raw:FIFO at the same moment; the rig's --sink raw:- and --midi-out raw:FIFO timed; tMidi - tAudio, ms",
  )
  results.midiAlign = []
  for (const transport of ['udp', 'tcp']) {
    const r = await midiAlign(quick ? { transport, impulses: 30, settleMs: 3000 } : { transport, impulses: 150, settleMs: 5000 })
    results.midiAlign.push(r)
    console.log(
      `${transport}: |tMidi - tAudio| p50 ${fmt(r.align.p50)} p99 ${fmt(r.align.p99)} max ${fmt(r.align.max)}, MIDI later by ${fmt(r.midiLaterP50)} (p50); ` +
        `one-way audio p50 ${fmt(r.audioLatency.p50)}, MIDI p50 ${fmt(r.midiLatency.p50)}; ${r.impulses} pairs, ${r.missed} missed, ${r.late} MIDI late, sync ${r.sync}`,
    )
  }
}

if (runs('devices')) {
  console.log(
    "\n== sound cards: device-to-device latency through the JACK loopback (server captures bench_a, rig plays bench_b on the show clock, UDP, serve --latency 25), the probe's own direct loop subtracted",
  )
  results.deviceLatency = []
  for (const frames of quick ? [128] : [256, 128, 64]) {
    const d = await deviceLatency(frames, quick ? 5 : 15)
    results.deviceLatency.push(d)
    console.log(
      `${String(frames).padStart(3)}-frame device buffers: p50 ${fmt(d.synchro.p50)} ms, p99 ${fmt(d.synchro.p99)} ms, ${d.synchro.heard} impulses heard (bare capture-UDP-play relay p50 ${fmt(d.bare.p50)}, p99 ${fmt(d.bare.p99)}, ${d.bare.heard} heard; probe's own loop ${fmt(d.probeMs)} ms)`,
    )
  }
  const onClock = await deviceShowClock(quick ? 10 : 20)
  results.deviceShowClock = onClock
  console.log(
    `card on the show clock beside a pipe rig, ${onClock.seconds} s: card - pipe median ${fmt(onClock.skewMedianMs)} ms, |spread| p50 ${fmt(onClock.spreadP50Ms)} p99 ${fmt(onClock.spreadP99Ms)} max ${fmt(onClock.spreadMaxMs)} ms (${onClock.paired}/${onClock.impulses} impulses); ` +
      `syncErrorMs |p50| ${fmt(onClock.syncErrorP50Ms, 3)} |p99| ${fmt(onClock.syncErrorP99Ms, 3)} (${onClock.syncErrorSamples} samples); ${onClock.framesDropped} dropped, ${onClock.framesInserted} inserted, ${onClock.hardResyncs} hard resyncs, ${onClock.framesSkipped} skipped after 3 s; sync ${onClock.sync}, ${onClock.jackXruns} JACK xruns`,
  )
  const soak = await deviceSoak(128, quick ? 15 : 60)
  results.deviceSoak = soak
  console.log(
    `${soak.seconds} s of tone to a card (128-frame buffer): ${soak.underruns} playout underruns, ${soak.concealed} frames concealed, ${soak.jackXruns} JACK xruns; drift ${soak.driftPpm} ppm, ${soak.framesInserted} frames inserted, ${soak.framesDropped} dropped, ${soak.framesSkipped} skipped after card stalls; frames queued for the card every 10 s: ${soak.queuedFramesEvery10s.join(', ')}; skipped so far, every 10 s: ${soak.skippedEvery10s.join(', ')}`,
  )
}

if (runs('card-windows')) {
  console.log(
    "\n== faithful sound cards (issue 13): share of a 3 s noise clip's 64-frame windows bit-exact and in order out of the card, serve --source wav: --clients 1 -> join --sink device:synchro, witnessed by arecord; aplay -> arecord on the same path beside it",
  )
  const r = await cardWindows({ runs: quick ? 3 : 10 })
  const pct = (s) => `min ${fmt(s.min * 100, 1)} %, median ${fmt(s.median * 100, 1)} %`
  console.log(`synchro: ${pct(r.synchroShare)}; aplay -> arecord: ${pct(r.bareShare)}`)
  results.cardWindows = r
  results.cardSoak = await cardSoak({ seconds: quick ? 15 : 60 })
}

if (runs('capture-windows')) {
  console.log(
    "\n== server capture from a card (issue 13): aplay plays 3 s of s16 noise into the JACK loopback at the show's INIT, serve --source device --clients 1 records it on a rig; " +
      'the share of 64-frame windows bit-exact and in order, beside aplay -> arecord in the same run',
  )
  results.captureWindows = await captureWindows({ runs: quick ? 3 : 10 })
}

if (runs('concealment')) {
  console.log('\n== concealment: SNR of concealed 128-frame packets at 5% random loss, dB (silence = 0 dB)')
  results.concealment = concealmentSnr()
  for (const c of results.concealment)
    console.log(`${c.signal}: past only ${fmt(c.pastOnlyDb, 1)} dB, next packet known ${fmt(c.withNextDb, 1)} dB, silence 0 dB`)
}

if (runs('redundancy')) {
  console.log('\n== redundancy at 5% random loss (UDP through the impairment relay, 6 s tone)')
  results.redundancy = []
  for (const [n, frames] of [
    [0, 128],
    [1, 128],
    [2, 64],
  ]) {
    const r = await redundancy(n, { frames })
    results.redundancy.push(r)
    console.log(
      `--redundancy ${n} (${frames} frames): relay dropped ${r.dropped}/${r.datagrams} datagrams, rig recovered ${r.recovered}, concealed ${fmt(r.concealedPct)}% of the show`,
    )
  }
}

if (runs('skew')) {
  // 150 impulses: the p99 of 100 would be their maximum (lib.mjs's percentile takes the sample at floor(p% of n)).
  const opts = quick ? { impulses: 30, settleMs: 3000 } : { impulses: 150, settleMs: 5000 }
  console.log(
    `\n== skew: one impulse train (an impulse every 200 ms, ${opts.impulses} timed after ${opts.settleMs / 1000} s) out of two outputs; ` +
      '|tA - tB| p50 / p99 / max and one-way latency p50 A / B, ms; Snapcast (two snapclients, same harness) beside',
  )
  const line = (r) =>
    `skew ${fmt(r.skew.p50)} / ${fmt(r.skew.p99)} / ${fmt(r.skew.max)}, latency ${fmt(r.latencyA.p50)} / ${fmt(r.latencyB.p50)}` +
    (r.missed > 0 ? `, ${r.missed} missed` : '')
  const bare = await bareSkew({ impulses: opts.impulses })
  const pair = await pairSkew({ impulses: opts.impulses })
  results.skew = { bare, pair, synchro: [], snapcast: [] }
  console.log(`harness floor (bare tee, one process writing two pipes in turn): ${line(bare)}`)
  console.log(`harness floor (two exact writers, one thread each): ${line(pair)}`)
  for (const c of SYNCHRO_CASES) {
    const r = await synchroSkew(c, opts)
    results.skew.synchro.push(r)
    const snapCase = SNAPCAST_CASES.find((s) => s.name === c.snapcast)
    const snap = snapCase && (await snapcastSkew(snapCase, opts))
    if (snap) results.skew.snapcast.push(snap)
    const beside =
      snapCase === undefined ? '' : snap === undefined ? '; Snapcast not installed' : `; Snapcast (${snap.label}) ${line(snap)}`
    console.log(`${c.label} [${r.transports.join('/')}]: ${line(r)}, B later by ${fmt(r.bLaterP50)}${beside}`)
  }
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true })
const out = join(ROOT, 'bench', 'results', 'latest.json')
writeFileSync(out, JSON.stringify(results, null, 2))
console.log(`\nwrote ${out}`)
process.exit(0)
