// The rig's link: which transport the session is on, and moving it on SWITCH. Memory pairs
// stand in for TCP and UDP connections (labelled so the link treats them as such).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair } from '../../transports/memory.js'
import type { Transport } from '../../transports/transport.js'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame, encodeControl, encodeFrame, readControl, MEDIA_MAX_PAYLOAD, type TransportName } from '../../src/codec/messages.js'
import { FrameError, type SynchroError } from '../../src/errors.js'
import { RigLink, SWITCH_TIMEOUT_MS, type RigLinkHandlers, type RigLinkNotice } from '../../src/session/rig-link.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { FORMAT, SESSION, frameFrom } from '../helpers/session.js'

const TOKEN = 'cd'.repeat(8)
const TICKET = { sessionId: SESSION, maxPayload: 2048, name: 'left' }

/** A memory transport that says it is TCP or UDP. */
function as<T extends Transport>(t: T, kind: 'tcp' | 'udp'): T {
  Object.defineProperty(t, 'kind', { value: kind })
  Object.defineProperty(t, 'reliable', { value: kind === 'tcp' })
  return t
}

interface Seen {
  frames: Array<[number, boolean]>
  bad: SynchroError[]
  disconnects: string[]
  moves: Array<{ next: Transport; early: number[] }>
  notices: RigLinkNotice[]
}

function setup(connect?: (to: TransportName) => Promise<Transport>) {
  const clock = new ManualClock()
  const [server, rig] = memoryPair()
  as(rig, 'tcp')
  const seen: Seen = { frames: [], bad: [], disconnects: [], moves: [], notices: [] }
  let ended = false
  const handlers: RigLinkHandlers = {
    frame: (bytes, ordered) => seen.frames.push([decodeFrame(bytes, MEDIA_MAX_PAYLOAD).header.seq, ordered]),
    badFrame: (e) => seen.bad.push(e),
    disconnect: (reason) => seen.disconnects.push(reason),
    moved: (next, early) => seen.moves.push({ next, early: early.map((f) => decodeFrame(f, MEDIA_MAX_PAYLOAD).header.seq) }),
    notice: (n) => seen.notices.push(n),
    ended: () => ended,
  }
  const link = new RigLink(rig, handlers, { clock, connect })
  const fromRig: Uint8Array[] = []
  server.on('frame', (f: Uint8Array) => fromRig.push(f))
  return { clock, server, rig, link, seen, fromRig, end: () => (ended = true) }
}

const audio = (seq: number) => encodeFrame(MSG.AUDIO, new Uint8Array(8), { codec: 1, seq, sessionId: SESSION })
const hello = () =>
  encodeControl(
    { type: MSG.HELLO, body: { version: 1, serverName: 'foh', format: FORMAT, maxPayload: 2048, pingIntervalMs: 1000 } },
    { sessionId: SESSION },
  )
const control = (f: Uint8Array) => readControl(decodeFrame(f, MEDIA_MAX_PAYLOAD))

/** A server on the far end of a new connection that resumes the session, sending `early` audio before RESUMED. */
function resumingServer(kind: 'tcp' | 'udp', early: number[]) {
  const [far, near] = memoryPair()
  as(near, kind)
  const resumes: number[] = []
  far.on('frame', (f: Uint8Array) => {
    const msg = control(f)
    if (msg.type !== MSG.RESUME || msg.body.token !== TOKEN) return
    resumes.push(1)
    for (const seq of early) far.send(audio(seq))
    far.send(frameFrom(MSG.RESUMED, { transport: kind }))
  })
  // As with a socket, the server's first bytes arrive on a later turn of the event loop.
  setImmediate(() => far.send(hello()))
  return { far, near, resumes }
}

test('frames, bad bytes and the close of the current transport go to the runner', async () => {
  const s = setup()
  s.server.send(audio(5))
  await s.clock.advance(0)
  assert.equal(s.seen.frames, [[5, true]], 'a TCP link is ordered')
  s.rig.emit('badFrame', new FrameError('BAD_MAGIC', 'not a Synchro frame'))
  assert.equal(
    s.seen.bad.map((e) => e.code),
    ['BAD_MAGIC'],
  )
  void s.server.close()
  await s.clock.advance(0)
  assert.equal(s.seen.disconnects, ['the connection closed without TERMINATE'])
})

test('a switch: the new transport resumes, becomes current, early frames are handed over and the old one retired', async () => {
  let far: ReturnType<typeof resumingServer> | undefined
  const s = setup(async (to) => {
    far = resumingServer(to as 'udp', [7, 8])
    return far.near
  })
  const done = s.link.switchTo('udp', TOKEN, TICKET)
  await s.clock.advance(0)
  await done
  assert.ok(far && far.resumes.length === 1, 'RESUME carried the token')
  assert.is(s.link.current, far!.near)
  assert.equal(
    s.seen.moves.map((m) => [m.next === far!.near, m.early]),
    [[true, [7, 8]]],
  )
  assert.equal(s.seen.notices, [{ event: 'switched', from: 'tcp', to: 'udp' }])
  assert.is(s.link.switches, 1)
  // The old transport is closed; its close is no longer the session's end.
  await s.clock.advance(0)
  assert.equal(s.seen.disconnects, [])
  far!.far.send(audio(9))
  await s.clock.advance(0)
  assert.equal(s.seen.frames.at(-1), [9, false], 'the UDP link is unordered')
})

test('switching to the transport already in use does nothing', async () => {
  let calls = 0
  const s = setup(async () => {
    calls++
    return memoryPair()[0]
  })
  await s.link.switchTo('tcp', TOKEN, TICKET)
  assert.equal([calls, s.seen.notices.length, s.fromRig.length], [0, 0, 0])
})

test('a rig that cannot open another transport tells the server why and stays', async () => {
  const s = setup()
  await s.link.switchTo('udp', TOKEN, TICKET)
  await s.clock.advance(0)
  assert.equal(control(s.fromRig[0]!), {
    type: MSG.SWITCH_FAILED,
    body: { transport: 'udp', reason: 'this rig cannot open another transport' },
  })
  assert.equal(s.seen.notices, [{ event: 'switch-failed', to: 'udp', reason: 'this rig cannot open another transport' }])
  assert.is(s.link.current, s.rig)
})

test('a connection that fails is reported with its reason; one that never comes times out', async () => {
  const refused = setup(async () => {
    throw new Error('cannot reach the server on udp: connection refused')
  })
  await refused.link.switchTo('udp', TOKEN, TICKET)
  assert.equal(refused.seen.notices, [{ event: 'switch-failed', to: 'udp', reason: 'cannot reach the server on udp: connection refused' }])

  const silent = setup(() => new Promise<Transport>(() => {}))
  const done = silent.link.switchTo('udp', TOKEN, TICKET)
  await silent.clock.advance(SWITCH_TIMEOUT_MS)
  await done
  assert.equal(silent.seen.notices, [{ event: 'switch-failed', to: 'udp', reason: 'cannot reach the server on udp within 1 s' }])
  assert.equal(silent.link.switches, 0)
})

test('the old transport closing mid-switch ends the session if the switch then fails', async () => {
  const s = setup(async () => {
    const [, near] = memoryPair() // nobody answers on it
    return as(near, 'udp')
  })
  const done = s.link.switchTo('udp', TOKEN, TICKET)
  await s.clock.advance(0)
  void s.server.close()
  await s.clock.advance(0)
  assert.equal(s.seen.disconnects, [], 'the switch decides')
  await s.clock.advance(SWITCH_TIMEOUT_MS)
  await done
  assert.equal(s.seen.disconnects, ['the connection closed without TERMINATE'])
  assert.equal(s.seen.notices, [], 'no switch-failed: the session is over')
})

test('a session that ends while switching abandons the new transport', async () => {
  let abortedWith: Error | undefined
  const s = setup(async () => {
    const near = as(memoryPair()[1], 'udp')
    near.once('close', (err?: Error) => (abortedWith = err))
    return near
  })
  const done = s.link.switchTo('udp', TOKEN, TICKET)
  s.end()
  await s.clock.advance(0)
  await done
  assert.is(s.link.current, s.rig)
  assert.equal([s.seen.moves.length, s.seen.notices.length], [0, 0])
  assert.is(abortedWith?.message, 'the session ended while switching', 'the new transport was aborted, with the reason')
})

test.run()
