// Codec throughput: encoding an AUDIO frame and deframing a TCP stream of them, beside a
// bare Node length-prefixed framer doing the same copies in the same run.
import { encodeFrame } from '../dist/src/codec/messages.js'
import { MSG } from '../dist/src/codec/header.js'
import { Deframer } from '../dist/src/codec/deframer.js'
import { fmt } from './lib.mjs'

/** Calls per second over `ms`, checking the time every `batch` calls (1 for heavy calls). */
function rate(fn, ms, batch) {
  let n = 0
  const start = performance.now()
  const end = start + ms
  let now = start
  while (now < end) {
    for (let i = 0; i < batch; i++) fn()
    n += batch
    now = performance.now()
  }
  return n / ((now - start) / 1000)
}

/**
 * Runs a and b in alternating 250 ms rounds and keeps each one's best round, so that a
 * burst of load from elsewhere on this shared machine hits both, and neither's figure
 * is taken from a disturbed moment.
 */
function bestOfInterleaved(a, b, batch, rounds = 6, ms = 250) {
  rate(a, 100, batch)
  rate(b, 100, batch)
  let bestA = 0
  let bestB = 0
  for (let r = 0; r < rounds; r++) {
    bestA = Math.max(bestA, rate(a, ms, batch))
    bestB = Math.max(bestB, rate(b, ms, batch))
  }
  return [bestA, bestB]
}

export function benchCodec(framesPerPacket = 128) {
  const payload = new Uint8Array(framesPerPacket * 4).fill(3)
  let seq = 0
  const [synchroEncode, bareEncode] = bestOfInterleaved(
    () => encodeFrame(MSG.AUDIO, payload, { codec: 1, seq: seq++ & 0xffff, sessionId: 7, timestamp: seq * 128 }),
    () => {
      const out = Buffer.allocUnsafe(4 + payload.byteLength)
      out.writeUInt32BE(payload.byteLength, 0)
      out.set(payload, 4)
      return out
    },
    100,
  )

  // A stream of 1000 frames cut into 1460-byte segments, as TCP delivers them.
  const frames = Array.from({ length: 1000 }, (_, i) => encodeFrame(MSG.AUDIO, payload, { codec: 1, seq: i, sessionId: 7 }))
  const stream = Buffer.concat(frames)
  const segments = []
  for (let off = 0; off < stream.length; off += 1460) segments.push(stream.subarray(off, off + 1460))
  const bareStream = Buffer.concat(
    frames.map((f) => {
      const b = Buffer.allocUnsafe(4 + f.length - 20)
      b.writeUInt32BE(f.length - 20, 0)
      b.set(f.subarray(20), 4)
      return b
    }),
  )
  const bareSegments = []
  for (let off = 0; off < bareStream.length; off += 1460) bareSegments.push(bareStream.subarray(off, off + 1460))

  const deframeSynchro = () => {
    const d = new Deframer(1 << 20)
    let n = 0
    for (const s of segments) {
      d.push(s)
      while (d.next()) n++
    }
    if (n !== 1000) throw new Error(`deframed ${n}`)
  }
  const deframeBare = () => {
    // The bare baseline: a Buffer.concat-and-slice length-prefix splitter.
    let pending = Buffer.alloc(0)
    let n = 0
    for (const s of bareSegments) {
      pending = pending.length ? Buffer.concat([pending, s]) : s
      while (pending.length >= 4) {
        const len = pending.readUInt32BE(0)
        if (pending.length < 4 + len) break
        pending.subarray(4, 4 + len)
        pending = pending.subarray(4 + len)
        n++
      }
    }
    if (n !== 1000) throw new Error(`bare deframed ${n}`)
  }
  const [streamsSynchro, streamsBare] = bestOfInterleaved(deframeSynchro, deframeBare, 1)
  const synchroDecode = streamsSynchro * 1000
  const bareDecode = streamsBare * 1000

  return {
    framesPerPacket,
    encodePerS: synchroEncode,
    bareEncodePerS: bareEncode,
    encodeRatio: synchroEncode / bareEncode,
    decodePerS: synchroDecode,
    bareDecodePerS: bareDecode,
    decodeRatio: synchroDecode / bareDecode,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = benchCodec()
  console.log(`encode ${fmt(r.encodePerS / 1e6)} M/s (bare ${fmt(r.bareEncodePerS / 1e6)} M/s, ratio ${fmt(r.encodeRatio)})`)
  console.log(`decode ${fmt(r.decodePerS / 1e6)} M/s (bare ${fmt(r.bareDecodePerS / 1e6)} M/s, ratio ${fmt(r.decodeRatio)})`)
}
