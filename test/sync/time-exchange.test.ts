import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BURST_EXCHANGES,
  MAX_ROUND_TRIP_MS,
  initialTimeExchange,
  nextExchangeInMs,
  replyReceived,
  requestSent,
} from '../../src/sync/time-exchange.js'

test('the schedule: 8 exchanges 50 ms apart, then one a second', () => {
  const gaps = Array.from({ length: 12 }, (_, i) => nextExchangeInMs(i + 1))
  assert.equal(gaps, [50, 50, 50, 50, 50, 50, 50, 1000, 1000, 1000, 1000, 1000])
  assert.is(BURST_EXCHANGES, 8)
  // The burst's 8 requests fit in the first 0.4 s after HELLO.
  assert.is(
    gaps.slice(0, BURST_EXCHANGES - 1).reduce((a, b) => a + b, 0),
    350,
  )
})

test('a reply to the newest request is a sample carrying t4; sent counts every request', () => {
  let s = requestSent(initialTimeExchange, 100)
  s = requestSent(s, 150)
  assert.equal([s.sent, s.lastSentT1], [2, 150])
  const r = replyReceived(s, { t1: 150, t2: 7000, t3: 7000.1 }, 150.4)
  assert.equal(r.sample, { t1: 150, t2: 7000, t3: 7000.1, t4: 150.4 })
  assert.is(r.state.lastAnsweredT1, 150)
})

test('an older reply still counts until a newer one is in; then it, and copies, are dropped', () => {
  let s = requestSent(requestSent(initialTimeExchange, 100), 150)
  const old = replyReceived(s, { t1: 100, t2: 1, t3: 1 }, 160)
  assert.ok(old.sample, 'the reply to 100 arrived first: a good sample')
  s = old.state
  assert.ok(replyReceived(s, { t1: 150, t2: 2, t3: 2 }, 161).sample, 'then the reply to 150')
  s = replyReceived(s, { t1: 150, t2: 2, t3: 2 }, 161).state
  assert.is(replyReceived(s, { t1: 150, t2: 2, t3: 2 }, 162).sample, undefined, 'a copy')
  assert.is(replyReceived(s, { t1: 100, t2: 1, t3: 1 }, 162).sample, undefined, 'overtaken')
})

test('a reply to nothing sent, from the future, or after 10 s is dropped', () => {
  assert.is(replyReceived(initialTimeExchange, { t1: 0, t2: 1, t3: 1 }, 5).sample, undefined, 'nothing sent yet')
  const s = requestSent(initialTimeExchange, 100)
  assert.is(replyReceived(s, { t1: 101, t2: 1, t3: 1 }, 200).sample, undefined, 'a t1 newer than any request')
  assert.is(replyReceived(s, { t1: 100, t2: 1, t3: 1 }, 99).sample, undefined, 'arrived before it was sent')
  assert.is(replyReceived(s, { t1: 100, t2: 1, t3: 1 }, 100 + MAX_ROUND_TRIP_MS + 1).sample, undefined, 'too late to be worth anything')
  assert.ok(replyReceived(s, { t1: 100, t2: 1, t3: 1 }, 100 + MAX_ROUND_TRIP_MS).sample)
})

test.run()
