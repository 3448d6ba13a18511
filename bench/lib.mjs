// Shared bench helpers. Figures are always reported beside a bare Node baseline run in
// the same process tree at the same time, as ratios: these machines are shared and noisy.
import { readFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js')
/** A show on loopback, on a free port, printing events: how every bench starts its server (add the show's own flags after). */
export const SERVE_ON_LOOPBACK = [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--json']
const TICKS_PER_S = 100 // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S
}

export function spawnNode(args, opts = {}) {
  return spawnProcess(process.execPath, args, opts)
}

/** Any program, stdio piped, its stderr kept as text (`child.errText()`). */
export function spawnProcess(command, args, opts = {}) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...opts })
  child.stderr.setEncoding('utf8')
  let err = ''
  child.stderr.on('data', (c) => (err += c))
  child.errText = () => err
  return child
}

/** SIGKILLs every child still running and waits for each to exit (so none is left a zombie). */
export async function stopAll(children) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', resolve)
          child.kill('SIGKILL')
        }),
    ),
  )
}

/** Resolves once `read()` (text so far) matches `pattern` `count` times; polls every 20 ms. */
export async function waitText(read, pattern, { count = 1, ms = 10_000, what = String(pattern) } = {}) {
  const deadline = performance.now() + ms
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g')
  while ((read().match(global)?.length ?? 0) < count) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** Resolves with the first JSON line on `stream` that satisfies pred. */
export function waitJson(stream, pred, ms = 10_000) {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms)
    const on = (chunk) => {
      buf += chunk.toString()
      const lines = buf.split('\n')
      buf = lines.pop()
      for (const line of lines) {
        try {
          const e = JSON.parse(line)
          if (pred(e)) {
            clearTimeout(timer)
            stream.off('data', on)
            resolve(e)
            return
          }
        } catch {}
      }
    }
    stream.on('data', on)
  })
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

export function fmt(n, digits = 2) {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n)
}

/**
 * Writes `total` packets of `framesPerPacket` 48 kHz stereo s16 frames into `writer` at
 * real-time pace (drift-free); `packetFor(k)` returns packet k's bytes.
 */
export function paceWrites(writer, framesPerPacket, total, packetFor) {
  const packetMs = (framesPerPacket * 1000) / 48000
  const start = performance.now()
  let k = 0
  return new Promise((resolve) => {
    const loop = () => {
      const now = performance.now()
      while (k < total && start + k * packetMs <= now) writer.write(packetFor(k++))
      if (k >= total) return resolve()
      setTimeout(loop, Math.max(0, start + k * packetMs - performance.now()))
    }
    loop()
  })
}

/** Calls `fn` with each JSON line a process prints on `stream` (draining the pipe, so it never blocks); other lines are skipped. */
export function onJsonLines(stream, fn) {
  let buf = ''
  stream.on('data', (chunk) => {
    buf += chunk.toString()
    const lines = buf.split('\n')
    buf = lines.pop()
    for (const line of lines) {
      let e
      try {
        e = JSON.parse(line)
      } catch {
        continue
      }
      fn(e)
    }
  })
}

/** The last JSON event of each kind a process prints, as it prints them. */
export function lastEvents(stream) {
  const last = new Map()
  onJsonLines(stream, (e) => last.set(e.event, e))
  return last
}
