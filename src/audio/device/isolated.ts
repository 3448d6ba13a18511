// Sound cards as Synchro sees them: the AudioDevices interface, served by device hosts
// (host.ts), one child process per open stream. Listing devices and probing which format a
// card takes run a short-lived host (~0.3 s each; up to HOST_TIMEOUT_MS on a stalled sound
// system): `listAsync` and `probeAsync` off the event loop, for a rig, which must keep
// answering its server and playing meanwhile (issue 13: the synchronous probe at the
// handshake held a rig ~0.6 s, and once 10 s, until it lost its server); `list` and `probe`
// synchronously, for `synchro devices` and a server setting its show up.
// An open stream talks to its host over pipes. A stream whose card is lost is ended by
// killing its host, which cannot hang on the dead driver as an in-process quit would.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { DeviceError, isDeviceErrorCode } from '../../errors.js'
import { decodeTakenAt, encodeHostMsg, encodePcmAt, HostMsg, HostMsgReader, hrtimeMs } from './host-protocol.js'
import type { AudioDeviceInfo, AudioDevices, CaptureStream, PlaybackStream, StreamOptions } from './portaudio.js'
import { nativeFormats, nativeFormatsAsync } from './native-formats.js'

// Run as compiled JS, or as TypeScript under the test runner's loader (execArgv carries it).
const HOST = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './host.ts' : './host.js', import.meta.url))
const STDIO_SYNC = ['ignore', 'ignore', 'pipe', 'pipe'] as const
/** Node's own flags for a host: the loader, not a debugger (a second one would fight for its port). */
const HOST_ARGV = process.execArgv.filter((a) => !/^--(inspect|debug)/.test(a))
/** Lines of the host's stderr (ALSA's and JACK's chatter) kept to explain a failure. */
const STDERR_LINES = 5

/** How long a listing or probing host may take before it is killed: PortAudio's scan of every ALSA PCM takes ~0.3 s here. */
export const HOST_TIMEOUT_MS = 10_000
/**
 * Hosts started for one listing or probe: a second one after a timeout. A suite run with a
 * core kept busy once had a listing host pass 10 s while JACK's server was starved, and the
 * next host answered in the usual 0.3 s; a sound system that is really stalled fails both.
 */
const HOST_TRIES = 2

type HostAnswer = { result: Record<string, unknown>; stderr: string }

/**
 * What a host that gave no answer says. Timed out, it is named for what it was asked and
 * nothing of its stderr is quoted: ALSA's and JACK's last line there is chatter from before
 * the stall (issue 13 quoted one), not the reason.
 */
function noAnswer(what: string, timeoutMs: number | undefined, exit: string, stderr: string): DeviceError {
  if (timeoutMs !== undefined)
    return new DeviceError(
      'DEVICE_FAILED',
      `the sound system did not answer within ${timeoutMs / 1000} s, ${HOST_TRIES} tries, while ${what} (is it stalled or overloaded?)`,
    )
  const last = stderr.trim().split('\n').at(-1)
  return new DeviceError('DEVICE_FAILED', `the device host ended without an answer while ${what} (${exit})${last ? `: ${last}` : ''}`)
}

function runHost(args: string[], what: string): HostAnswer {
  for (let tried = 1; ; tried++) {
    try {
      return runHostOnce(args, what, tried === HOST_TRIES)
    } catch (err) {
      if (!(err instanceof HostTimedOut) || tried === HOST_TRIES) throw err instanceof HostTimedOut ? err.error : err
    }
  }
}

/** A host killed at its timeout: tried again by runHost and runHostAsync, else its error stands. */
class HostTimedOut extends Error {
  constructor(readonly error: DeviceError) {
    super(error.message)
  }
}

function runHostOnce(args: string[], what: string, last: boolean): HostAnswer {
  const r = spawnSync(process.execPath, [...HOST_ARGV, HOST, ...args], {
    stdio: [...STDIO_SYNC],
    timeout: HOST_TIMEOUT_MS,
    encoding: 'utf8',
  })
  const text = (r.output?.[3] as string | null) ?? ''
  const stderr = r.stderr ?? ''
  const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT'
  if (!text) {
    const error = noAnswer(what, timedOut ? HOST_TIMEOUT_MS : undefined, r.error?.message ?? `exit ${r.status ?? r.signal}`, stderr)
    throw timedOut && !last ? new HostTimedOut(error) : error
  }
  return { result: JSON.parse(text) as Record<string, unknown>, stderr }
}

/** runHost off the event loop: the same host and answer, killed after HOST_TIMEOUT_MS and tried again once. */
export async function runHostAsync(args: string[], what: string, timeoutMs = HOST_TIMEOUT_MS): Promise<HostAnswer> {
  for (let tried = 1; ; tried++) {
    try {
      return await runHostAsyncOnce(args, what, timeoutMs, tried === HOST_TRIES)
    } catch (err) {
      if (!(err instanceof HostTimedOut) || tried === HOST_TRIES) throw err instanceof HostTimedOut ? err.error : err
    }
  }
}

function runHostAsyncOnce(args: string[], what: string, timeoutMs: number, last: boolean): Promise<HostAnswer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...HOST_ARGV, HOST, ...args], { stdio: [...STDIO_SYNC] })
    let text = ''
    let stderr = ''
    let timedOut = false
    ;(child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (t: string) => (text += t))
    child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-4096)))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(noAnswer(what, undefined, err.message, stderr))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        const error = noAnswer(what, timeoutMs, `exit ${code ?? signal}`, stderr)
        return reject(last ? error : new HostTimedOut(error))
      }
      if (!text) return reject(noAnswer(what, undefined, `exit ${code ?? signal}`, stderr))
      try {
        resolve({ result: JSON.parse(text) as Record<string, unknown>, stderr })
      } catch (err) {
        reject(noAnswer(what, undefined, `an answer that is not JSON: ${(err as Error).message}`, stderr))
      }
    })
  })
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
  /** The latest time a write was given (performance.now()): the host holds it until then. */
  private lastWriteAtMs = 0

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

  write(chunk: Uint8Array, taken?: (atMs?: number) => void, atMs?: number): boolean {
    if (this.ended) return false
    this.taken.push(taken)
    // A time on this process's clock (performance.now()) goes to the host on the monotonic clock both share.
    if (atMs !== undefined) this.lastWriteAtMs = Math.max(this.lastWriteAtMs, atMs)
    const msg = atMs === undefined ? encodeHostMsg(HostMsg.Pcm, chunk) : encodePcmAt(atMs - performanceOffsetMs, chunk)
    return this.child.stdin!.write(msg)
  }

  start(): void {
    this.child.stdin!.write(encodeHostMsg(HostMsg.Start))
  }

  abandon(): void {
    this.ended = true
    this.child.kill('SIGKILL')
  }

  /** Lets the card play what it was given, then ends the host (killed a second after the last write's time if the card never does). */
  quit(cb?: () => void): void {
    if (this.ended || this.child.exitCode !== null) {
      this.ended = true
      this.child.kill('SIGKILL')
      return cb?.()
    }
    this.ended = true
    this.quitDone = cb
    this.child.stdin!.write(encodeHostMsg(HostMsg.Quit))
    const heldMs = Math.max(0, this.lastWriteAtMs - performance.now())
    setTimeout(() => this.child.kill('SIGKILL'), heldMs + 1000).unref()
  }
}

/** Sound cards through device hosts, or one line saying why there are none. */
export function audioDevices(): AudioDevices {
  const listArgs = (o?: { rates?: boolean }) => (o?.rates ? ['list', 'rates'] : ['list'])
  const probeArgs = (direction: 'input' | 'output', candidates: StreamOptions[]) => ['probe', direction, JSON.stringify(candidates)]
  const probeWhat = 'checking which formats the card takes'
  return {
    timedWrites: true,
    list: (o) => devicesOf(runHost(listArgs(o), 'listing sound cards').result),
    listAsync: async (o) => devicesOf((await runHostAsync(listArgs(o), 'listing sound cards')).result),
    prepare: () => {
      if (!standby || standby.exitCode !== null) standby = spawnHost()
    },
    probe: (direction, candidates) => probeOf(runHost(probeArgs(direction, candidates), probeWhat).result),
    probeAsync: async (direction, candidates) => probeOf((await runHostAsync(probeArgs(direction, candidates), probeWhat)).result),
    capture: (o) => new HostStream('capture', o),
    playback: (o) => new HostStream('playback', o),
    // ALSA's own tools answer it, no PortAudio needed: asked from here, not a host.
    nativeFormats: (device, direction) => nativeFormats(device, direction),
    nativeFormatsAsync: (device, direction) => nativeFormatsAsync(device, direction),
  }
}

/** A host's refusal (no PortAudio, no audio system) as the DeviceError it names. */
function refusal(result: Record<string, unknown>): DeviceError | undefined {
  if (typeof result.error !== 'string') return undefined
  return new DeviceError(isDeviceErrorCode(result.code) ? result.code : 'NO_AUDIO_SYSTEM', result.error)
}

function devicesOf(result: Record<string, unknown>): AudioDeviceInfo[] {
  const err = refusal(result)
  if (err) throw err
  return result.devices as AudioDeviceInfo[]
}

function probeOf(result: Record<string, unknown>): { index: number; errors: string[] } {
  const err = refusal(result)
  if (err) throw err
  return result as { index: number; errors: string[] }
}
