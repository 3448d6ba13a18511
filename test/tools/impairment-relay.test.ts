// The impairment relay is test equipment: it must impair exactly as asked, from its seed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import dgram from 'node:dgram'
import { ImpairmentRelay, seededRandom, type Impairment } from '../helpers/impairment-relay.js'
import { pace, until } from '../helpers/wait.js'

/** An echo server, a client sending `count` numbered datagrams 2 ms apart through the relay. */
async function run(o: Impairment, count = 500) {
  const echo = dgram.createSocket('udp4')
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r))
  const serverGot: number[] = []
  echo.on('message', (m, from) => {
    serverGot.push(m.readUInt32BE(0))
    echo.send(m, from.port, from.address)
  })
  const relay = await ImpairmentRelay.start({ host: '127.0.0.1', port: echo.address().port }, o)
  const client = dgram.createSocket('udp4')
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r))
  const back: Array<{ n: number; rttMs: number }> = []
  const sentAt: number[] = []
  client.on('message', (m) => back.push({ n: m.readUInt32BE(0), rttMs: Date.now() - sentAt[m.readUInt32BE(0)]! }))
  for (let n = 0; n < count; n++) {
    const b = Buffer.alloc(64)
    b.writeUInt32BE(n, 0)
    sentAt[n] = Date.now()
    client.send(b, relay.port, '127.0.0.1')
    await pace(2)
  }
  // Drained: every datagram the relay passed on (delayed ones included) has reached the echo
  // server, come back to the relay and, where passed on again, reached the client.
  await until(
    () =>
      relay.up.received === count &&
      serverGot.length === relay.up.forwarded &&
      relay.down.received === serverGot.length &&
      back.length === relay.down.forwarded,
    10_000,
    'the relay to drain',
  )
  await relay.close()
  client.close()
  echo.close()
  return { serverGot, back, relay }
}

test('the seeded generator is repeatable and spread over [0, 1)', () => {
  const a = seededRandom(42)
  const b = seededRandom(42)
  const xs = Array.from({ length: 10_000 }, () => a())
  assert.equal(
    xs.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  )
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`)
})

test('with no impairment, every datagram goes both ways, in order', async () => {
  const { serverGot, back } = await run({ seed: 1 }, 200)
  assert.equal(
    serverGot,
    Array.from({ length: 200 }, (_, i) => i),
  )
  assert.equal(
    back.map((b) => b.n),
    Array.from({ length: 200 }, (_, i) => i),
  )
})

test('loss drops about the asked share, per direction, and the same datagrams for the same seed', async () => {
  const a = await run({ seed: 7, lossPct: 10, upstreamLossPct: 0 })
  assert.is(a.serverGot.length, 500, 'no upstream loss asked')
  assert.ok(a.relay.down.dropped >= 30 && a.relay.down.dropped <= 75, `dropped ${a.relay.down.dropped} of 500`)
  const b = await run({ seed: 7, lossPct: 10, upstreamLossPct: 0 })
  assert.equal(
    b.back.map((x) => x.n),
    a.back.map((x) => x.n),
  )
  const up = await run({ seed: 3, upstreamLossPct: 5 })
  assert.ok(up.serverGot.length < 500 && up.serverGot.length > 450, `server got ${up.serverGot.length}`)
})

test('delay and jitter: round trips at least twice the delay, spread by the jitter, with reordering', async () => {
  const { back } = await run({ seed: 5, delayMs: 10, jitterMs: 8 }, 300)
  const rtts = back.map((b) => b.rttMs)
  assert.ok(Math.min(...rtts) >= 4, `min rtt ${Math.min(...rtts)}`) // 2 x (10 - 8) at the least
  assert.ok(Math.max(...rtts) >= 28, `max rtt ${Math.max(...rtts)}`)
  const outOfOrder = back.filter((b, i) => i > 0 && b.n < back[i - 1]!.n).length
  assert.ok(outOfOrder > 5, `${outOfOrder} overtaken`)
})

test('duplication and reordering are counted and happen', async () => {
  const { back, relay } = await run({ seed: 9, duplicatePct: 5, reorderPct: 5 })
  assert.ok(relay.down.duplicated > 5 && relay.up.duplicated > 5)
  assert.ok(back.length > 500, 'duplicates arrive')
  assert.ok(relay.down.reordered > 5)
  assert.ok(
    back.some((b, i) => i > 0 && b.n < back[i - 1]!.n),
    'some overtaken',
  )
})

test('an outage drops everything inside its window and nothing outside it', async () => {
  const { back, relay } = await run({ seed: 2, outage: { startMs: 300, durationMs: 400 } }, 500)
  assert.ok(relay.up.dropped > 100, `dropped ${relay.up.dropped}`)
  const got = new Set(back.map((b) => b.n))
  assert.ok(got.has(0) && got.has(499), 'before and after the outage get through')
  const missing = Array.from({ length: 500 }, (_, n) => n).filter((n) => !got.has(n))
  // The missing ones are one contiguous run (the window), give or take its edges.
  assert.ok(missing.at(-1)! - missing[0]! < missing.length + 10, 'loss is one burst')
})

test.run()
