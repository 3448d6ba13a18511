// The rig's sound card runs at its own clock: a simulated card 300 ppm slow, then one 200 ppm
// fast, fed by the show at exactly 48 kHz on a manual clock. The sink must keep the frames
// waiting for the card near where they settled and report the drift.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ManualClock } from '../helpers/manual-clock.js'
import { DeviceSink } from '../../src/audio/device-sink.js'
import { adjustByOneFrame, DriftController } from '../../src/audio/drift.js'
import type { AudioDevices, PlaybackStream } from '../../src/audio/device/portaudio.js'

const RATE = 48000

/** A card that takes 256 frames at a time at `ppm` off nominal, starting once 512 frames are queued (as PortAudio prefills). */
function simulatedCard(clock: ManualClock, ppm: number, stall?: { atMs: number; forMs: number }): AudioDevices {
  return {
    list: () => [
      {
        id: 0,
        name: 'sim',
        hostApi: 'test',
        inputChannels: 0,
        outputChannels: 2,
        defaultRateHz: RATE,
        defaultLowInputLatencyMs: 0,
        defaultLowOutputLatencyMs: 5,
      },
    ],
    capture: () => {
      throw new Error('no capture')
    },
    playback: () => {
      const queue: Array<{ frames: number; taken?: (() => void) | undefined }> = []
      let owed = 0
      const periodMs = (256 / (RATE * (1 + ppm / 1e6))) * 1000
      let stalled = false
      const tick = () => {
        if (stall && !stalled && clock.now() >= stall.atMs) {
          // The card stops taking frames (an xrun, a busy bus) and resumes at its own pace, owing nothing.
          stalled = true
          clock.setTimeout(tick, stall.forMs)
          return
        }
        owed += 256
        while (queue.length && owed >= queue[0]!.frames) {
          const c = queue.shift()!
          owed -= c.frames
          c.taken?.()
        }
        if (!queue.length) owed = 0 // an underrun: the card plays silence, owes nothing
        clock.setTimeout(tick, periodMs)
      }
      let started = false
      const s: PlaybackStream = {
        write: (chunk, taken) => {
          queue.push({ frames: chunk.byteLength / 4, taken })
          if (!started && queue.reduce((n, c) => n + c.frames, 0) >= 512) {
            started = true
            clock.setTimeout(tick, periodMs)
          }
          return true
        },
        on: () => s,
        start: () => {},
        quit: (cb) => cb?.(),
      }
      return s
    },
  }
}

async function run(ppm: number, seconds: number, stall?: { atMs: number; forMs: number }) {
  const clock = new ManualClock()
  const sink = new DeviceSink({ name: 'sim', buffer: { frames: 256 }, devices: simulatedCard(clock, ppm, stall), clock })
  sink.open({ rateHz: RATE, channels: 2, format: 's16le' })
  const packet = new Uint8Array(128 * 4)
  const packetMs = (128 / RATE) * 1000
  let next = 0
  const levels: number[] = []
  for (let i = 0; i < (seconds * 1000) / packetMs; i++) {
    next += packetMs
    await clock.advance(next - clock.now())
    sink.write(packet)
    if (i % 375 === 0) levels.push(sink.deviceStats()!.queuedFrames)
  }
  return { stats: sink.deviceStats()!, levels }
}

for (const ppm of [-300, 200]) {
  test(`a card ${Math.abs(ppm)} ppm ${ppm < 0 ? 'slow' : 'fast'}: the queue stays put, the drift is measured, frames are ${ppm < 0 ? 'dropped' : 'inserted'}`, async () => {
    const { stats, levels } = await run(ppm, 120)
    if (process.env.SYNCHRO_DEBUG) console.log(ppm, JSON.stringify(stats), levels.slice(5).join(','))
    const settled = levels.slice(5)
    const spread = Math.max(...settled) - Math.min(...settled)
    // Uncorrected, 120 s at this drift would move the queue by |ppm| * 48000 * 120 / 1e6 frames.
    const uncorrected = (Math.abs(ppm) * RATE * 120) / 1e6
    assert.ok(spread < 400, `queue level stayed within ${spread} frames (uncorrected it would move ${uncorrected.toFixed(0)})`)
    assert.ok(Math.abs(stats.driftPpm - ppm) < 25, `measured ${stats.driftPpm} ppm, true ${ppm}`)
    const fixes = ppm < 0 ? stats.framesDropped : stats.framesInserted
    assert.ok(
      Math.abs(fixes - uncorrected) < uncorrected * 0.25 + 40,
      `${fixes} frames ${ppm < 0 ? 'dropped' : 'inserted'} (drift over the run: ${uncorrected.toFixed(0)})`,
    )
    assert.is(ppm < 0 ? stats.framesInserted : stats.framesDropped, 0, 'never both ways')
  })
}

test('a card that stalls for half a second does not add the stall to the latency: what would queue past eight buffers is skipped', async () => {
  const { stats, levels } = await run(0, 10, { atMs: 5000, forMs: 500 })
  const after = levels.slice(-5)
  assert.ok(Math.max(...levels) <= 8 * 256, `the queue peaked at ${Math.max(...levels)} frames`)
  assert.ok(Math.max(...after) <= 8 * 256 && Math.min(...after) > 0, `after the stall it holds ${after.join(', ')}`)
  // The stall owed 24,000 frames; what waited beyond the bound was skipped, the rest plays late by at most the bound.
  assert.ok(stats.framesSkipped >= 24000 - 8 * 256 && stats.framesSkipped <= 24000, `${stats.framesSkipped} frames skipped`)
})

test('after a disturbance (the sink skipped a burst) the level it settles at next is the target: no steering back to where a burst had put it', () => {
  const run = (disturb: boolean) => {
    const d = new DriftController(RATE)
    let fixes = 0
    for (let t = 0; t < 10_000; t += 2.67) {
      d.consumed(128, t)
      // A burst holds the level at 1,000 for 3 s (past the 2 s settle); then it runs at 300.
      d.observe(t < 3000 ? 1000 : 300, t)
      if (disturb && t >= 3000 && t < 3003) d.disturbed(t)
      fixes += Math.abs(d.correction(t))
    }
    return fixes
  }
  assert.ok(run(false) > 50, "without it the controller inserts toward the burst's level")
  assert.is(run(true), 0)
})

test('a frame is dropped or repeated where the waveform is flattest', () => {
  const b = Buffer.alloc(6 * 2)
  ;[0, 1000, 2000, 2000, 1000, 0].forEach((v, i) => b.writeInt16LE(v, i * 2))
  const mono = new Uint8Array(b)
  const dropped = adjustByOneFrame(mono, 2, 2, -1)
  const read = (u: Uint8Array) => Array.from({ length: u.byteLength / 2 }, (_, i) => Buffer.from(u.buffer, u.byteOffset).readInt16LE(i * 2))
  assert.equal(read(dropped), [0, 1000, 2000, 1000, 0])
  assert.equal(read(adjustByOneFrame(mono, 2, 2, 1)), [0, 1000, 2000, 2000, 2000, 1000, 0])
})

test.run()
