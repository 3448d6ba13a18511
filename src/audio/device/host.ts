// The device host: one child process per open sound-card stream (and one short-lived one
// to list or check devices), running PortAudio through naudiodon2 away from Synchro's own
// process. Why a process of its own:
// - a card that dies mid-stream leaves naudiodon2's write and quit blocked forever on a
//   libuv pool thread, and Node's exit joins that pool: the rig could never exit. A host is
//   simply killed, and the card reopened in a new one;
// - PortAudio prints its banner on stdout (naudiodon2's printf), which would break --json;
//   here stdout goes nowhere and messages travel on fd 3;
// - a crash in native code ends the host, not the show.
//
// Usage (by isolated.ts only): host.js list [rates] | probe DIRECTION [OPTIONS, ...] | standby
// A standby host loads PortAudio and waits for an Open message on stdin, so a card opens in
// milliseconds when the show starts rather than after a process start. Results and the
// stream's messages go to fd 3, framed as host-protocol.ts says.

import { createWriteStream } from 'node:fs'
import { decodePcmAt, encodeHostMsg, encodeTakenAt, HostMsg, HostMsgReader, hrtimeMs } from './host-protocol.js'
import { TimedWrites } from './timed-writes.js'
import { inProcessAudioDevices, type AudioDevices, type StreamOptions } from './portaudio.js'

const out = createWriteStream('', { fd: 3 })
const [mode, a, b] = process.argv.slice(2) as [string, string?, string?]

function reply(result: unknown): void {
  out.end(JSON.stringify(result), () => process.exit(0))
}

function failed(err: unknown): void {
  reply({ error: (err as Error).message, code: (err as { code?: string }).code })
}

/** The standard rates a device opens at, each tried by opening it (and closing at once). */
const STANDARD_RATES = [44100, 48000, 88200, 96000, 192000]
async function ratesOf(
  devices: ReturnType<typeof inProcessAudioDevices>,
  deviceId: number,
  channels: number,
  direction: 'input' | 'output',
): Promise<number[]> {
  const rates: number[] = []
  if (channels < 1) return rates
  for (const rateHz of STANDARD_RATES) {
    const o: StreamOptions = { deviceId, rateHz, channels: Math.min(2, channels), format: 'f32le', framesPerBuffer: 256 }
    try {
      const s = direction === 'input' ? devices.capture(o) : devices.playback(o)
      // Closed before the next try: a hardware device opens once at a time.
      await new Promise<void>((r) => s.quit(() => r()))
      rates.push(rateHz)
    } catch {
      // refused at this rate
    }
  }
  return rates
}

function run(): void {
  let devices: AudioDevices
  try {
    devices = inProcessAudioDevices()
  } catch (err) {
    return failed(err)
  }
  if (mode === 'list') {
    const list = devices.list()
    if (a !== 'rates') return reply({ devices: list })
    const d = devices
    void (async () => {
      for (const info of list)
        info.supportedRatesHz = {
          input: await ratesOf(d, info.id, info.inputChannels, 'input'),
          output: await ratesOf(d, info.id, info.outputChannels, 'output'),
        }
      reply({ devices: list })
    })()
    return
  }
  if (mode === 'probe') {
    // Each candidate opened and closed again at once (nothing written: quit does not wait).
    const candidates = JSON.parse(b!) as StreamOptions[]
    const errors: string[] = []
    const next = (i: number): void => {
      if (i >= candidates.length) return reply({ index: -1, errors })
      try {
        const s = a === 'input' ? devices.capture(candidates[i]!) : devices.playback(candidates[i]!)
        s.quit(() => reply({ index: i, errors }))
      } catch (err) {
        errors.push((err as Error).message)
        next(i + 1)
      }
    }
    return next(0)
  }
  // standby: PortAudio is loaded (list() initialised it); the first message says what to open.
  devices.list()
  const send = (kind: HostMsg, payload?: Uint8Array): boolean => out.write(encodeHostMsg(kind, payload))
  let stream: (ReturnType<typeof devices.capture> & ReturnType<typeof devices.playback>) | undefined
  const open = (mode: string, o: StreamOptions): void => {
    try {
      stream = (mode === 'capture' ? devices.capture(o) : devices.playback(o)) as typeof stream
    } catch (err) {
      send(HostMsg.Error, Buffer.from((err as Error).message))
      return void out.end(() => process.exit(1))
    }
    const s = stream!
    s.on('error', (err: Error) => send(HostMsg.Error, Buffer.from(err.message)))
    if (mode === 'capture') s.on('data', (chunk: Buffer) => send(HostMsg.Pcm, chunk))
  }
  // Chunks the rig sent ahead, each written to PortAudio at its time (timed-writes.ts), here where nothing else runs.
  let writes: TimedWrites | undefined
  // Written to the stream and not yet taken into PortAudio's queue: naudiodon2's quit drops what its stream still buffers.
  let untaken = 0
  const whenTaken: Array<() => void> = []
  const hostClock = { now: hrtimeMs, setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout }
  const reader = new HostMsgReader((kind, payload) => {
    if (kind === HostMsg.Open) {
      const { mode, options } = JSON.parse(payload.toString('utf8')) as { mode: string; options: StreamOptions }
      open(mode, options)
    } else if (!stream) {
      return
    } else if (kind === HostMsg.Pcm || kind === HostMsg.PcmAt) {
      const s = stream
      // Stamped here, the moment PortAudio took it: Synchro's event loop may be busy when it reads this.
      writes ??= new TimedWrites(hostClock, (pcm) => {
        untaken++
        s.write(pcm, () => {
          send(HostMsg.Taken, encodeTakenAt(hrtimeMs()))
          if (--untaken === 0) for (const fn of whenTaken.splice(0)) fn()
        })
      })
      if (kind === HostMsg.Pcm) writes.push(Buffer.from(payload))
      else {
        const { atHrMs, pcm } = decodePcmAt(payload)
        writes.push(Buffer.from(pcm), atHrMs)
      }
    } else if (kind === HostMsg.Start) {
      stream.start()
      send(HostMsg.Started)
    } else if (kind === HostMsg.Quit) {
      const s = stream
      // What waits for its time is played first: the show's last frames go once, then the card stops.
      const quit = () => s.quit(() => out.end(() => process.exit(0)))
      const whenAllTaken = () => (untaken === 0 ? quit() : whenTaken.push(quit))
      if (writes) writes.whenWritten(whenAllTaken)
      else quit()
    }
  })
  process.stdin.on('data', (c: Buffer) => reader.push(c))
  // The parent went away: nothing left to play for.
  process.stdin.on('end', () => process.exit(0))
}

run()
