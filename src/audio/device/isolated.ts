// Sound cards as Synchro sees them: the AudioDevices interface, served by device hosts
// (host.ts), one child process per open stream. Listing devices and probing which format a
// card takes run a short-lived host synchronously (~0.3 s each, at start, at the handshake
// or at a reopen, never mid-stream);
// an open stream talks to its host over pipes. A stream whose card is lost is ended by
// killing its host, which cannot hang on the dead driver as an in-process quit would.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { DeviceError, isDeviceErrorCode } from '../../errors.js'
import { decodeTakenAt, encodeHostMsg, HostMsg, HostMsgReader, hrtimeMs } from './host-protocol.js'
import type { AudioDeviceInfo, AudioDevices, CaptureStream, PlaybackStream, StreamOptions } from './portaudio.js'
import { nativeFormats } from './native-formats.js'

// Run as compiled JS, or as TypeScript under the test runner's loader (execArgv carries it).
const HOST = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './host.ts' : './host.js', import.meta.url))
const STDIO_SYNC = ['ignore', 'ignore', 'pipe', 'pipe'] as const
/** Node's own flags for a host: the loader, not a debugger (a second one would fight for its port). */
const HOST_ARGV = process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a))
/** Lines of the host's stderr (ALSA's and JACK's chatter) kept to explain a failure. */
const STDERR_LINES = 5

function runHost(args: string[]): { result: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [...HOST_ARGV, HOST, ...args], { stdio: [...STDIO_SYNC], timeout: 10_000, encoding: 'utf8' })
  const text = (r.output?.[3] as string | null) ?? ''
  const stderr = (r.stderr ?? '').trim()
  if (!text)
    throw new Error(
      `the device host ended without an answer (${r.error?.message ?? `exit ${r.status ?? r.signal}`})${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`,
    )
  return { result: JSON.parse(text) as Record<string, unknown>, stderr }
}

let standby: ChildProcess | undefined

/**
 * performance.now() minus the monotonic clock the host stamps with (hrtimeMs): Node's
 * performance.now() is that clock from this process's origin, so the difference is constant.
 * Read between two reads of the other, the closest pair kept: within a few µs.
 */
const performanceOffsetMs = (() => {
  let best = { gap: Infinity, offset: 0 }
  for (let i = 0; i < 5; i++) {
    const a = performance.now()
    const hr = hrtimeMs()
    const b = performance.now()
    if (b - a < best.gap) best = { gap: b - a, offset: (a + b) / 2 - hr }
  }
  return best.offset
})()

type Refable = { ref?: () => void; unref?: () => void }

/** A host waiting in standby must not keep Synchro running; one with a stream must. */
function setRef(child: ChildProcess, on: boolean): void {
  for (const h of [child, ...child.stdio] as Refable[]) (on ? h?.ref : h?.unref)?.call(h)
}

function spawnHost(): ChildProcess {
  const child = spawn(process.execPath, [...HOST_ARGV, HOST, 'standby'], { stdio: ['pipe', 'ignore', 'pipe', 'pipe'] })
  child.stdin!.on('error', () => {}) // a host that died: its exit says so
  setRef(child, false)
  return child
}

/** A host with PortAudio loaded, ready to open a stream (see prepare()). */
function takeStandbyHost(): ChildProcess {
  const child = standby && standby.exitCode === null ? standby : spawnHost()
  standby = undefined
  setRef(child, true)
  return child
}

class HostStream extends EventEmitter implements PlaybackStream, CaptureStream {
  private readonly child: ChildProcess
  private readonly taken: Array<((atMs?: number) => void) | undefined> = []
  private stderrTail: string[] = []
  private ended = false
  private quitDone: (() => void) | undefined

  constructor(mode: 'capture' | 'playback', o: StreamOptions) {
    super()
    this.child = takeStandbyHost()
    this.child.stdin!.write(encodeHostMsg(HostMsg.Open, Buffer.from(JSON.stringify({ mode, options: o }))))
    const reader = new HostMsgReader((kind, payload) => {
      if (kind === HostMsg.Pcm) this.emit('data', Buffer.from(payload))
      else if (kind === HostMsg.Taken) {
        const at = decodeTakenAt(payload)
        this.taken.shift()?.(at === undefined ? undefined : at + performanceOffsetMs)
      } else if (kind === HostMsg.Error) this.fail(payload.toString('utf8'))
      else if (kind === HostMsg.Started) this.emit('started')
    })
    ;(this.child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => reader.push(c))
    this.child.stderr!.setEncoding('utf8').on('data', (t: string) => {
      this.stderrTail = [...this.stderrTail, ...t.split('\n').filter(Boolean)].slice(-STDERR_LINES)
    })
    this.child.on('exit', (code, signal) => {
      this.quitDone?.()
      if (!this.ended)
        this.fail(`the device host exited (${signal ?? `code ${code}`})${this.stderrTail.length ? `: ${this.stderrTail.at(-1)}` : ''}`)
    })
  }

  private fail(message: string): void {
    if (this.ended) return
    this.ended = true
    this.child.kill('SIGKILL')
    this.emit('error', new Error(message))
  }

  write(chunk: Uint8Array, taken?: (atMs?: number) => void): boolean {
    if (this.ended) return false
    this.taken.push(taken)
    return this.child.stdin!.write(encodeHostMsg(HostMsg.Pcm, chunk))
  }

  start(): void {
    this.child.stdin!.write(encodeHostMsg(HostMsg.Start))
  }

  abandon(): void {
    this.ended = true
    this.child.kill('SIGKILL')
  }

  /** Lets the card play what it was given, then ends the host (killed after a second if the card never does). */
  quit(cb?: () => void): void {
    if (this.ended || this.child.exitCode !== null) {
      this.ended = true
      this.child.kill('SIGKILL')
      return cb?.()
    }
    this.ended = true
    this.quitDone = cb
    this.child.stdin!.write(encodeHostMsg(HostMsg.Quit))
    setTimeout(() => this.child.kill('SIGKILL'), 1000).unref()
  }
}

/** Sound cards through device hosts, or one line saying why there are none. */
export function audioDevices(): AudioDevices {
  const list = (o?: { rates?: boolean }): AudioDeviceInfo[] => {
    const { result } = runHost(o?.rates ? ['list', 'rates'] : ['list'])
    if (typeof result.error === 'string') {
      throw new DeviceError(isDeviceErrorCode(result.code) ? result.code : 'NO_AUDIO_SYSTEM', result.error)
    }
    return result.devices as AudioDeviceInfo[]
  }
  return {
    list,
    prepare: () => {
      if (!standby || standby.exitCode !== null) standby = spawnHost()
    },
    probe: (direction, candidates) => {
      const { result } = runHost(['probe', direction, JSON.stringify(candidates)])
      if (typeof result.error === 'string')
        throw new DeviceError(isDeviceErrorCode(result.code) ? result.code : 'NO_AUDIO_SYSTEM', result.error)
      return result as { index: number; errors: string[] }
    },
    capture: (o) => new HostStream('capture', o),
    playback: (o) => new HostStream('playback', o),
    // ALSA's own tools answer it, no PortAudio needed: asked from here, not a host.
    nativeFormats: (device, direction) => nativeFormats(device, direction),
  }
}
