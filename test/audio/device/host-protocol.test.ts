// The pipe between Synchro and a device host: [kind u8][length u32le][payload], split back
// into messages from chunks of any size.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeTakenAt, encodeHostMsg, encodeTakenAt, HostMsg, HostMsgReader, hrtimeMs } from '../../../src/audio/device/host-protocol.js'

test('hex fixtures: kind, little-endian length, payload', () => {
  assert.is(encodeHostMsg(HostMsg.Pcm, Uint8Array.of(0xde, 0xad, 0xbe)).toString('hex'), '0103000000deadbe')
  assert.is(encodeHostMsg(HostMsg.Start).toString('hex'), '0300000000')
  assert.is(encodeHostMsg(HostMsg.Error, Buffer.from('gone')).toString('hex'), '0504000000676f6e65')
  assert.is(encodeHostMsg(HostMsg.Pcm, new Uint8Array(0x10203)).subarray(0, 5).toString('hex'), '0103020100')
  assert.equal(
    [HostMsg.Pcm, HostMsg.Taken, HostMsg.Start, HostMsg.Quit, HostMsg.Error, HostMsg.Open, HostMsg.Started],
    [1, 2, 3, 4, 5, 6, 7],
  )
})

const stream = Buffer.concat([
  encodeHostMsg(HostMsg.Open, Buffer.from(JSON.stringify({ mode: 'capture', options: { rateHz: 48000 } }))),
  encodeHostMsg(HostMsg.Started),
  encodeHostMsg(HostMsg.Pcm, Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff))),
  encodeHostMsg(HostMsg.Taken),
  encodeHostMsg(HostMsg.Quit),
])

function read(chunks: Buffer[]): Array<[HostMsg, string]> {
  const got: Array<[HostMsg, string]> = []
  const r = new HostMsgReader((kind, payload) => got.push([kind, payload.toString('hex')]))
  for (const c of chunks) r.push(c)
  return got
}

test('a stream of five messages, whole', () => {
  const got = read([stream])
  assert.equal(
    got.map(([k]) => k),
    [HostMsg.Open, HostMsg.Started, HostMsg.Pcm, HostMsg.Taken, HostMsg.Quit],
  )
  assert.equal(JSON.parse(Buffer.from(got[0]![1], 'hex').toString()), { mode: 'capture', options: { rateHz: 48000 } })
  assert.is(got[2]![1].length, 600)
  assert.equal([got[1]![1], got[3]![1], got[4]![1]], ['', '', ''])
})

test('split at every byte offset, and fed a byte at a time: the same messages', () => {
  const whole = read([stream])
  for (let at = 0; at <= stream.length; at++) assert.equal(read([stream.subarray(0, at), stream.subarray(at)]), whole, `split at ${at}`)
  assert.equal(read(Array.from(stream, (b) => Buffer.of(b))), whole)
})

test('an incomplete message waits for the rest; nothing is delivered early', () => {
  const got: HostMsg[] = []
  const r = new HostMsgReader((kind) => got.push(kind))
  const pcm = encodeHostMsg(HostMsg.Pcm, new Uint8Array(10))
  r.push(pcm.subarray(0, 4)) // not even a whole header
  r.push(pcm.subarray(4, 14)) // header and 9 of 10 payload bytes
  assert.equal(got, [])
  r.push(pcm.subarray(14))
  assert.equal(got, [HostMsg.Pcm])
})

test("Taken carries the host's stamp: a float64 of the system's monotonic clock, little-endian; a host that sends none gives none", () => {
  assert.is(encodeHostMsg(HostMsg.Taken, encodeTakenAt(1.5)).toString('hex'), '0208000000000000000000f83f')
  assert.is(decodeTakenAt(encodeTakenAt(123456789.123456)), 123456789.123456)
  assert.is(decodeTakenAt(Buffer.alloc(0)), undefined)
})

test('the monotonic clock the host stamps with runs with performance.now(): a constant apart, to the µs', async () => {
  const apart = () => {
    const a = performance.now()
    const hr = hrtimeMs()
    return { d: a - hr, read: performance.now() - a }
  }
  const first = apart()
  await new Promise((r) => setTimeout(r, 30))
  const later = apart()
  assert.ok(Math.abs(later.d - first.d) < 0.05 + first.read + later.read, `${first.d} then ${later.d}`)
})

test.run()
