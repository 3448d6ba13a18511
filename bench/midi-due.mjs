// How close to its due time a MIDI message can leave a rig's event loop: N callbacks each
// scheduled for a random time 2-12 ms ahead, fired by a plain setTimeout (what delivery used
// before) and by DueTimer (src/midi/due-timer.ts: a timer earlyMs early, then polls) with a
// few values of earlyMs, on the system clock in this process. Reported: how late each fired
// against its due time (negative: early), p50 / p99 / max and the earliest, and the CPU the
// waiting cost per callback (the polling is a busy wait that still lets I/O in).
import { systemClock } from '../dist/src/clock.js'
import { DueTimer, EARLY_MS } from '../dist/src/midi/due-timer.js'
import { percentile } from './lib.mjs'

function summary(lateMs) {
  return { min: Math.min(...lateMs), p50: percentile(lateMs, 50), p99: percentile(lateMs, 99), max: Math.max(...lateMs) }
}

async function measure(count, schedule) {
  const lateMs = []
  const cpu = process.cpuUsage()
  for (let i = 0; i < count; i++) {
    const dueMs = performance.now() + 2 + Math.random() * 10
    const firedMs = await new Promise((resolve) => schedule(dueMs, () => resolve(performance.now())))
    lateMs.push(firedMs - dueMs)
  }
  const used = process.cpuUsage(cpu)
  return { ...summary(lateMs), cpuMsEach: (used.user + used.system) / 1000 / count }
}

export async function midiDue(count = 500) {
  const plain = await measure(count, (dueMs, fn) => systemClock.setTimeout(fn, dueMs - performance.now()))
  const due = {}
  for (const earlyMs of [1, 1.5, 2]) {
    const timer = new DueTimer(systemClock, earlyMs)
    due[earlyMs] = await measure(count, (dueMs, fn) => timer.at(dueMs, fn))
  }
  return { count, defaultEarlyMs: EARLY_MS, plain, due }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await midiDue(Number(process.argv[2] ?? 500))
  const f = (x) => x.toFixed(3)
  const line = (name, s) =>
    `${name}: late p50 ${f(s.p50)} p99 ${f(s.p99)} max ${f(s.max)}, earliest ${f(s.min)} ms; CPU ${f(s.cpuMsEach)} ms each`
  console.log(line('setTimeout', r.plain))
  for (const [early, s] of Object.entries(r.due)) console.log(line(`DueTimer ${early} ms early`, s))
}
