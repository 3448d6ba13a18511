// Concealment quality: 10 s signals at 48 kHz mono s16, 128-frame packets, 5% of packets
// lost at random (seeded). Each lost packet is concealed (a) with silence, (b) by our
// Concealer with only the past known (an underrun), (c) with the next packet known (the
// usual case in a jitter buffer). SNR of the concealed stretches against the original,
// in dB; silence is 0 dB by definition (the error is the whole signal).
import { Concealer } from '../dist/src/jitter/concealment.js'
// Run under tsx (npm run bench does): the seeded generator is the impairment relay's.
import { seededRandom } from '../test/helpers/impairment-relay.ts'

const RATE = 48000
const N = 128
const FORMAT = { rateHz: RATE, channels: 1, format: 's16le', framesPerPacket: N }

const seeded = seededRandom

const SIGNALS = {
  'sine 440 Hz': (i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / RATE),
  // A sung vowel: 6 harmonics of 150 Hz with 5 Hz vibrato.
  'voice-like (150 Hz, 6 harmonics, vibrato)': (() => {
    let phase = 0
    return (i) => {
      const f = 150 * (1 + 0.01 * Math.sin((2 * Math.PI * 5 * i) / RATE))
      phase += (2 * Math.PI * f) / RATE
      let v = 0
      for (let h = 1; h <= 6; h++) v += Math.sin(h * phase) / h
      return 0.3 * v
    }
  })(),
  'chord (A3 C#4 E4)': (i) => 0.2 * [220, 277.18, 329.63].reduce((a, f) => a + Math.sin((2 * Math.PI * f * i) / RATE), 0),
  'white noise': (() => {
    const r = seeded(9)
    return () => 0.5 * (r() * 2 - 1)
  })(),
}

function toPcm(x) {
  const b = Buffer.alloc(x.length * 2)
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767))), i * 2)
  return new Uint8Array(b)
}
const fromPcm = (b) =>
  Array.from({ length: b.byteLength / 2 }, (_, i) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readInt16LE(i * 2) / 32767)

export function concealmentSnr(lossPct = 5, seconds = 10) {
  const out = []
  for (const [name, gen] of Object.entries(SIGNALS)) {
    const packets = Math.floor((seconds * RATE) / N)
    const x = Float64Array.from({ length: packets * N }, (_, i) => gen(i))
    const random = seeded(42)
    const lost = Array.from({ length: packets }, (_, k) => k > 20 && random() < lossPct / 100)
    const run = (useNext) => {
      const c = new Concealer(FORMAT)
      let signal = 0
      let error = 0
      for (let k = 0; k < packets; k++) {
        const ref = x.subarray(k * N, (k + 1) * N)
        if (!lost[k]) {
          c.played(toPcm(ref))
          continue
        }
        let next
        if (useNext)
          for (let j = k + 1; j < packets; j++)
            if (!lost[j]) {
              next = j === k + 1 ? toPcm(x.subarray(j * N, (j + 1) * N)) : undefined
              break
            }
        const got = fromPcm(c.conceal(N, next, next ? N : undefined))
        for (let i = 0; i < N; i++) {
          signal += ref[i] ** 2
          error += (ref[i] - got[i]) ** 2
        }
      }
      return 10 * Math.log10(signal / error)
    }
    out.push({ signal: name, lostPackets: lost.filter(Boolean).length, pastOnlyDb: run(false), withNextDb: run(true), silenceDb: 0 })
  }
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(concealmentSnr())
