// The rig's half of a transport switch on the new connection (resumeOn): HELLO proves it is
// the same show, RESUME carries the token, RESUMED ends it; what comes meanwhile is kept.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { memoryPair, type MemoryTransport } from '../../transports/memory.js'
import { MSG } from '../../src/codec/header.js'
import { decodeFrame, encodeControl, encodeFrame, encodePingPong, readControl, MEDIA_MAX_PAYLOAD } from '../../src/codec/messages.js'
import { SynchroError, TimeoutError } from '../../src/errors.js'
import { resumeOn } from '../../src/session/rig-switch.js'
import { ManualClock } from '../helpers/manual-clock.js'
import { FORMAT, SESSION, frameFrom } from '../helpers/session.js'

const TOKEN = 'ab'.repeat(8)

function setup() {
  const clock = new ManualClock()
  const [server, rig] = memoryPair()
  const fromRig: Uint8Array[] = []
  server.on('frame', (f: Uint8Array) => fromRig.push(f))
  const resumed = resumeOn(rig, { sessionId: SESSION, token: TOKEN, name: 'left', maxPayload: 1024, timeoutMs: 1000, clock })
  // Settle the outcome at once, so a rejection is never unhandled while the test drives the clock.
  const outcome = resumed.then(
    (early) => ({ early, error: undefined }),
    (error: Error) => ({ early: undefined, error }),
  )
  return { clock, server, rig, fromRig, outcome }
}

const hello = (sessionId = SESSION) =>
  encodeControl(
    { type: MSG.HELLO, body: { version: 1, serverName: 'foh', format: FORMAT, maxPayload: 1024, pingIntervalMs: 1000 } },
    { sessionId },
  )
const audio = (seq: number) => encodeFrame(MSG.AUDIO, new Uint8Array(8), { codec: 1, seq, sessionId: SESSION })

async function send(clock: ManualClock, t: MemoryTransport, ...frames: Uint8Array[]) {
  for (const f of frames) t.send(f)
  await clock.advance(0)
}

test('HELLO of the same show is answered with RESUME; media before RESUMED is kept and handed back', async () => {
  const s = setup()
  await send(s.clock, s.server, audio(1)) // before HELLO: not this session's yet, ignored
  await send(s.clock, s.server, hello())
  assert.is(s.fromRig.length, 1)
  assert.equal(readControl(decodeFrame(s.fromRig[0]!, MEDIA_MAX_PAYLOAD)), { type: MSG.RESUME, body: { token: TOKEN, name: 'left' } })
  const midi = encodeFrame(MSG.MIDI, new Uint8Array(10), { sessionId: SESSION })
  await send(
    s.clock,
    s.server,
    audio(2),
    encodePingPong(MSG.PING, 1, { sessionId: SESSION }),
    midi,
    audio(3),
    frameFrom(MSG.RESUMED, { transport: 'udp' }),
  )
  const { early, error } = await s.outcome
  assert.is(error, undefined)
  assert.equal(
    early!.map((f) => decodeFrame(f, MEDIA_MAX_PAYLOAD).header.type),
    [MSG.AUDIO, MSG.MIDI, MSG.AUDIO],
    'the PING is not kept',
  )
  assert.is(s.rig.listenerCount('frame'), 0, 'its listeners are gone once it is done')
})

test('a different show answering is refused, naming its session', async () => {
  const s = setup()
  await send(s.clock, s.server, hello(99))
  const { error } = await s.outcome
  assert.instance(error, SynchroError)
  assert.equal([(error as SynchroError).code, error!.message], ['OTHER_SHOW', 'a different show answered on memory (session 99)'])
})

test('a TERMINATE instead of RESUMED is the server refusing, with its reason', async () => {
  const s = setup()
  await send(
    s.clock,
    s.server,
    hello(),
    encodeControl({ type: MSG.TERMINATE, body: { reason: 'unknown token', code: 'protocol-error' } }, { sessionId: SESSION }),
  )
  const { error } = await s.outcome
  assert.equal([(error as SynchroError).code, error!.message], ['SWITCH_REFUSED', 'the server refused: unknown token'])
})

test('any other message before RESUMED is unexpected', async () => {
  const s = setup()
  await send(s.clock, s.server, hello(), encodeControl({ type: MSG.INIT, body: { position: 0, timeline: null } }, { sessionId: SESSION }))
  const { error } = await s.outcome
  assert.equal([(error as SynchroError).code, error!.message], ['UNEXPECTED', 'INIT before RESUMED'])
})

test('no answer within the timeout', async () => {
  const s = setup()
  await send(s.clock, s.server, hello())
  await s.clock.advance(999)
  await s.clock.advance(1)
  const { error } = await s.outcome
  assert.instance(error, TimeoutError)
  assert.equal([(error as SynchroError).code, error!.message], ['SWITCH_TIMEOUT', 'no answer on memory within 1.0 s'])
  assert.is(s.clock.pendingTimers, 0)
})

test('the new connection closing ends the attempt, and its timer', async () => {
  const s = setup()
  void s.server.close()
  await s.clock.advance(0)
  const { error } = await s.outcome
  assert.equal([(error as SynchroError).code, error!.message], ['SWITCH_CLOSED', 'the memory connection closed'])
  assert.is(s.clock.pendingTimers, 0)
})

test("bytes that are not a frame end the attempt with the codec's error", async () => {
  const s = setup()
  await send(s.clock, s.server, new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]))
  const { error } = await s.outcome
  assert.is((error as SynchroError).code, 'BAD_MAGIC')
})

test.run()
