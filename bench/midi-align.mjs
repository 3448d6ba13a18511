// MIDI-to-audio alignment on one rig (issue 12: within 1 ms): the impulse train of the skew
// bench (one impulse every 200 ms, 128-frame packets at real-time pace) goes into
// `serve --source raw:-`, and with each impulse's packet a note-on naming it
// (bench/midi-tap.ts) goes into `serve --midi-in raw:FIFO` at the same moment, so the server
// stamps the note with the show position it is capturing. One rig (`--midi-timing show`, the
// default) writes the audio to `--sink raw:-` and the MIDI to `--midi-out raw:FIFO`; each is
// read by a tap thread of its own (bench/threaded-tap.mjs) that timestamps each impulse and each
// note as it comes out. Per impulse: tMidi - tAudio.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI, lastEvents, percentile, sleep, SERVE_ON_LOOPBACK, spawnNode, stopAll, waitJson } from './lib.mjs'
import { IMPULSE_BASE } from './impulse-tap.ts'
import { preciseWrites } from './precise-pacer.mjs'
import { pairImpulses } from './skew-pairs.ts'
import { openFifoWriter } from './snapcast.mjs'
import { ThreadedTap } from './threaded-tap.ts'

const FRAMES_PER_PACKET = 128
/** 75 packets of 128 frames: 200 ms at 48 kHz between impulses, as in bench/skew.mjs. */
const PACKETS_PER_IMPULSE = 75
const IMPULSE_MS = 200

const summary = (values) => ({ p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) })

/** transport: the rig's; latencyMs: the rig's --latency (undefined: the show's). */
export async function midiAlign({ impulses = 100, settleMs = 5000, transport = 'udp', latencyMs } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-align-'))
  const procs = []
  let midiIn
  // The taps' FIFOs: the rig's stdout (audio) and the one it opens as --midi-out. The bench
  // holds both open until the end, so the rig's opening and closing never ends a tap early.
  const audio = new ThreadedTap(dir, 'audio')
  const midi = new ThreadedTap(dir, 'midi', { kind: 'note' })
  try {
    await Promise.all([audio.opened, midi.opened])
    const inPath = join(dir, 'midi-in')
    const outPath = midi.path
    execFileSync('mkfifo', [inPath])
    midiIn = openFifoWriter(inPath)
    const server = spawnNode([
      ...SERVE_ON_LOOPBACK,
      '--source',
      'raw:-',
      '--frames',
      String(FRAMES_PER_PACKET),
      '--midi-in',
      `raw:${inPath}`,
      '--transport',
      transport,
    ])
    procs.push(server)
    const { port } = await waitJson(server.stdout, (e) => e.event === 'listening')
    const rig = spawnNode(
      [
        CLI,
        'join',
        `127.0.0.1:${port}`,
        '--transport',
        transport,
        '--sink',
        'raw:-',
        '--midi-out',
        `raw:${outPath}`,
        ...(latencyMs === undefined ? [] : ['--latency', String(latencyMs)]),
        '--json',
      ],
      { stdio: ['pipe', audio.fd, 'pipe'] },
    )
    procs.push(rig)
    const rigEvents = lastEvents(rig.stderr)
    await waitJson(server.stdout, (e) => e.event === 'init')

    const count = Math.ceil(settleMs / IMPULSE_MS) + impulses
    // From a thread at exact pace (bench/precise-pacer.mjs), each note into the MIDI FIFO just
    // before its impulse's packet: the event-loop pacer wrote 0-1 ms late, and the server's
    // timeline (taken at a steady pace) then put the sample earlier than the note beside it.
    const sent = await preciseWrites(
      server.stdin,
      FRAMES_PER_PACKET,
      count * PACKETS_PER_IMPULSE + PACKETS_PER_IMPULSE,
      PACKETS_PER_IMPULSE,
      0,
      IMPULSE_BASE,
      { noteFd: midiIn.fd, monotonic: true },
    )
    const sentMs = Array.from({ length: count }, (_, i) => sent.get(i))
    const deadline = performance.now() + 2000
    while (!(audio.seenMs.has(count - 1) && midi.seenMs.has(count - 1)) && performance.now() < deadline) await sleep(20)
    const pairs = pairImpulses(sentMs, audio.seenMs, midi.seenMs, sentMs[count - impulses])
    if (pairs.signedMs.length === 0) throw new Error(`no impulse came out as both audio and MIDI (${audio.bytes} audio bytes)`)
    return {
      transport,
      impulses: pairs.signedMs.length,
      missed: pairs.missed,
      /** |tMidi - tAudio| */
      align: summary(pairs.skewMs),
      /** Median tMidi - tAudio: positive when the note comes after its sample. */
      midiLaterP50: percentile(pairs.signedMs, 50),
      audioLatency: summary(pairs.latencyAMs),
      midiLatency: summary(pairs.latencyBMs),
      late: rigEvents.get('stats')?.midi?.late ?? null,
      sync: rigEvents.get('stats')?.sync?.state ?? null,
    }
  } finally {
    midiIn?.close()
    await stopAll(procs)
    for (const t of [audio, midi]) t.handedOver()
    await Promise.race([Promise.all([audio.ended, midi.ended]), sleep(2000)])
    await Promise.all([audio.close(), midi.close()])
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const transport of ['udp', 'tcp']) console.log(JSON.stringify(await midiAlign({ transport, impulses: 50, settleMs: 3000 })))
  process.exit(0)
}
