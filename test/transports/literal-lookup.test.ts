// The server socket's address lookup: literals at once (no tick per datagram), names through DNS.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import dgram from 'node:dgram'
import { literalLookup } from '../../transports/literal-lookup.js'

type Answer = { err: NodeJS.ErrnoException | null; address: string; family: number }

/** Calls the lookup and says whether it answered before returning (synchronously). */
function ask(hostname: string, family: number): { sync: Answer | undefined; later: Promise<Answer> } {
  let sync: Answer | undefined
  let returned = false
  const later = new Promise<Answer>((resolve) => {
    literalLookup(hostname, family, (err, address, fam) => {
      const a = { err, address, family: fam }
      if (!returned) sync = a
      resolve(a)
    })
  })
  returned = true
  return { sync, later }
}

test('an IPv4 literal is answered before the call returns, with family 4', () => {
  const { sync } = ask('10.0.0.5', 4)
  assert.equal(sync, { err: null, address: '10.0.0.5', family: 4 })
})

test('an IPv6 literal, zone and all, is answered at once with family 6', () => {
  assert.equal(ask('::1', 6).sync, { err: null, address: '::1', family: 6 })
  assert.equal(ask('fe80::1%lo', 6).sync, { err: null, address: 'fe80::1%lo', family: 6 })
})

test('a name is not a literal: it goes to DNS, asynchronously, in the family asked for', async () => {
  const { sync, later } = ask('localhost', 4)
  assert.is(sync, undefined)
  const a = await later
  assert.is(a.err, null)
  assert.is(a.family, 4)
  assert.ok(a.address.startsWith('127.'), a.address)
})

test('a socket with this lookup sends to a literal address', async () => {
  const rx = dgram.createSocket('udp4')
  await new Promise<void>((r) => rx.bind(0, '127.0.0.1', () => r()))
  const tx = dgram.createSocket({ type: 'udp4', lookup: literalLookup })
  const got = new Promise<Buffer>((r) => rx.once('message', (m) => r(m)))
  const sent = new Promise<Error | null>((r) => tx.send(Buffer.from('cue'), rx.address().port, '127.0.0.1', (err) => r(err)))
  assert.is(await sent, null)
  assert.is((await got).toString(), 'cue')
  tx.close()
  rx.close()
})

test.run()
