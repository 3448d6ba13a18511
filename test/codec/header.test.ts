import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { HEADER_BYTES, MSG, PROTOCOL_VERSION, peekType, readHeader, VersionMismatchError, writeHeader } from '../../src/codec/header.js'
import {
  decodeFrame,
  encodeControl,
  encodeFrame,
  encodePingPong,
  encodeTime,
  readControl,
  terminateBody,
  TerminateSchema,
  readPingPong,
  readTime,
  readTimeline,
  encodeTimeline,
} from '../../src/codec/messages.js'
import { Deframer } from '../../src/codec/deframer.js'
import { CODEC } from '../../src/codec/format.js'
import { FrameError } from '../../src/errors.js'
import { fromHex, hex, throwsCode } from '../helpers/frames.js'
// The peeks, beside peekType above: one field each, read where the layout is written.
import {
  FLAG,
  hasMagic,
  isWholeFrame,
  peekFlags,
  peekPayloadLength,
  peekSeq,
  peekSession,
  peekVersion,
  withReliableSeq,
} from '../../src/codec/header.js'

// Fixtures written by hand from docs/PROTOCOL.md, so an accidental layout change fails here.
const FIXTURES: Record<string, { hex: string; build: () => Uint8Array }> = {
  AUDIO: {
    // magic 5359, v1, type 4, codec 1 (s16le), flags 0, seq 0x0102, session 0xdeadbeef, ts 0x00000080, len 8, payload
    hex: '5359 01 04 01 00 0102 deadbeef 00000080 00000008 0100 ffff 0200 feff',
    build: () =>
      encodeFrame(MSG.AUDIO, fromHex('0100ffff0200feff'), { codec: CODEC.pcm_s16le, seq: 0x0102, sessionId: 0xdeadbeef, timestamp: 128 }),
  },
  TERMINATE: {
    // {"reason":"bye","code":"operator"} is 34 (0x22) bytes
    hex: '5359 01 06 00 00 0003 00000007 00000000 00000022' + Buffer.from('{"reason":"bye","code":"operator"}').toString('hex'),
    build: () => encodeControl({ type: MSG.TERMINATE, body: { reason: 'bye', code: 'operator' } }, { sessionId: 7, seq: 3 }),
  },
  PING: {
    // float64 1.5
    hex: '5359 01 07 00 00 0000 00000007 00000000 00000008 3ff8000000000000',
    build: () => encodePingPong(MSG.PING, 1.5, { sessionId: 7 }),
  },
  TIME_REQUEST: {
    // type 0x12, 24 bytes: t1 = 1.5 (float64), then 16 bytes of zeros (as long as the reply)
    hex: '5359 01 12 00 00 0000 00000007 00000000 00000018 3ff8000000000000 0000000000000000 0000000000000000',
    build: () => encodeTime(MSG.TIME_REQUEST, { t1: 1.5, t2: 0, t3: 0 }, { sessionId: 7 }),
  },
  TIME_REPLY: {
    // type 0x13, 24 bytes: t1 = 1.5 echoed, t2 = 1000, t3 = 1000.25 (the server's clock)
    hex: '5359 01 13 00 00 0000 00000007 00000000 00000018 3ff8000000000000 408f400000000000 408f420000000000',
    build: () => encodeTime(MSG.TIME_REPLY, { t1: 1.5, t2: 1000, t3: 1000.25 }, { sessionId: 7 }),
  },
  TIMELINE: {
    // type 0x14, position 0x00012c00 (76,800) in the timestamp, 16 bytes: serverMs = 1000.25, driftPpm = -1.5
    hex: '5359 01 14 00 00 0000 00000007 00012c00 00000010 408f420000000000 bff8000000000000',
    build: () => encodeTimeline({ position: 76800, serverMs: 1000.25, driftPpm: -1.5 }, { sessionId: 7 }),
  },
}

for (const [name, f] of Object.entries(FIXTURES)) {
  test(`${name} encodes to its documented bytes`, () => {
    assert.is(hex(f.build()), f.hex.replace(/\s+/g, ''))
  })

  test(`${name} deframes whole when fed split at every byte offset`, () => {
    const bytes = fromHex(f.hex)
    for (let cut = 0; cut <= bytes.length; cut++) {
      const d = new Deframer(1 << 20)
      d.push(bytes.subarray(0, cut))
      const early = d.next()
      if (cut < bytes.length) assert.is(early, null, `a frame came out after ${cut} of ${bytes.length} bytes`)
      d.push(bytes.subarray(cut))
      const frame = early ?? d.next()
      assert.ok(frame, `no frame when split at ${cut}`)
      assert.is(hex(frame!), hex(bytes))
      assert.is(d.next(), null)
    }
  })
}

test('deframer splits a stream of many frames fed one byte at a time', () => {
  const frames = [FIXTURES.AUDIO!.build(), FIXTURES.PING!.build(), FIXTURES.TERMINATE!.build()]
  const stream = Buffer.concat(frames)
  const d = new Deframer(1 << 20)
  const out: string[] = []
  for (const b of stream) {
    d.push(Uint8Array.of(b))
    for (let f = d.next(); f; f = d.next()) out.push(hex(f))
  }
  assert.equal(out, frames.map(hex))
})

test('deframer returns a view, not a copy, when a frame sits inside one chunk', () => {
  const a = FIXTURES.AUDIO!.build()
  const chunk = Buffer.concat([a, a])
  const d = new Deframer(1 << 20)
  d.push(chunk)
  const f = d.next()!
  assert.is(f.buffer, chunk.buffer)
})

test('control messages decode and validate', () => {
  const msg = readControl(decodeFrame(FIXTURES.TERMINATE!.build(), 1024))
  assert.equal(msg, { type: MSG.TERMINATE, body: { reason: 'bye', code: 'operator' } })
  assert.is(readPingPong(decodeFrame(FIXTURES.PING!.build(), 1024)), 1.5)
  assert.equal(readTime(decodeFrame(fromHex(FIXTURES.TIME_REPLY!.hex), 1024)), { t1: 1.5, t2: 1000, t3: 1000.25 })
  assert.equal(readTime(decodeFrame(fromHex(FIXTURES.TIME_REQUEST!.hex), 1024)), { t1: 1.5, t2: 0, t3: 0 })
})

test('TIMELINE decodes to its position, server time and drift; a bad one is refused with one line', () => {
  assert.equal(readTimeline(decodeFrame(fromHex(FIXTURES.TIMELINE!.hex), 1024)), { position: 76800, serverMs: 1000.25, driftPpm: -1.5 })
  const bad = (payload: string) => {
    try {
      readTimeline(decodeFrame(encodeFrame(MSG.TIMELINE, fromHex(payload), { sessionId: 7 }), 1024))
    } catch (err) {
      assert.instance(err, FrameError)
      return (err as Error).message
    }
    return 'accepted'
  }
  assert.is(bad(f64(1)), 'TIMELINE payload must be 16 bytes, got 8')
  assert.is(bad(f64(Number.NaN, 0)), 'TIMELINE serverMs is not a finite number')
  assert.is(bad(f64(1, 1001)), 'TIMELINE driftPpm must be within ±1000')
  assert.is(bad(f64(1, Number.NaN)), 'TIMELINE driftPpm must be within ±1000')
})

test("a TIME_REQUEST's padding is zeros when sent and ignored when read", () => {
  assert.is(hex(encodeTime(MSG.TIME_REQUEST, { t1: 1.5, t2: 9, t3: 9 }, { sessionId: 7 })), FIXTURES.TIME_REQUEST!.hex.replace(/\s+/g, ''))
  const padded = fromHex(FIXTURES.TIME_REQUEST!.hex)
  padded.fill(0xff, 28)
  assert.equal(readTime(decodeFrame(padded, 1024)), { t1: 1.5, t2: 0, t3: 0 })
})

/** Big-endian float64s as hex: a time payload written by hand. */
function f64(...values: number[]): string {
  const b = Buffer.alloc(8 * values.length)
  values.forEach((v, i) => b.writeDoubleBE(v, 8 * i))
  return b.toString('hex')
}
const BAD_TIME: Array<[string, number, string, RegExp]> = [
  ['a short request', MSG.TIME_REQUEST, f64(1), /^TIME_REQUEST payload must be 24 bytes, got 8$/],
  ['a long reply', MSG.TIME_REPLY, f64(1, 2, 3, 4), /^TIME_REPLY payload must be 24 bytes, got 32$/],
  ['an empty reply', MSG.TIME_REPLY, '', /^TIME_REPLY payload must be 24 bytes, got 0$/],
  ['a request with t1 NaN', MSG.TIME_REQUEST, f64(Number.NaN, 0, 0), /^TIME_REQUEST t1 is not a finite number$/],
  ['a reply with t2 infinite', MSG.TIME_REPLY, f64(1, Number.POSITIVE_INFINITY, 3), /^TIME_REPLY timestamps must be finite numbers$/],
  [
    'a reply sent before its request arrived',
    MSG.TIME_REPLY,
    f64(1, 10, 9.5),
    /^TIME_REPLY was sent \(t3 9.5\) before its request arrived \(t2 10\)$/,
  ],
]
for (const [name, type, payload, message] of BAD_TIME) {
  test(`time payload: ${name} is a FrameError`, () => {
    const frame = decodeFrame(encodeFrame(type as 18, fromHex(payload), { sessionId: 7 }), 1024)
    const err = throwsCode(() => readTime(frame), FrameError, 'BAD_PAYLOAD')
    assert.match(err.message, message)
  })
}

// The limit cases: each must be a FrameError with a code and a readable message.
const BAD: Array<[string, string, string, RegExp]> = [
  ['bad magic', '4142 01 04 00 00 0000 00000000 00000000 00000000', 'BAD_MAGIC', /not a Synchro frame/],
  [
    'version 2',
    '5359 02 04 00 00 0000 00000000 00000000 00000000',
    'VERSION_MISMATCH',
    /peer speaks Synchro protocol v2, this side speaks v1/,
  ],
  ['unknown type', '5359 01 63 00 00 0000 00000000 00000000 00000000', 'UNKNOWN_TYPE', /unknown message type 99/],
  [
    'huge length',
    '5359 01 04 00 00 0000 00000000 00000000 ffffffff',
    'FRAME_TOO_LARGE',
    /declares 4294967295 payload bytes, more than the 1024 allowed/,
  ],
]
for (const [name, bytes, code, message] of BAD) {
  test(`refuses ${name}`, () => {
    const err = throwsCode(() => decodeFrame(fromHex(bytes), 1024), FrameError, code)
    assert.match(err.message, message)
    const d = new Deframer(1024)
    d.push(fromHex(bytes))
    throwsCode(() => d.next(), FrameError, code)
  })
}

test('a version mismatch names both versions and is typed', () => {
  const err = throwsCode(() => readHeader(fromHex('5359 09'), 10), FrameError, 'VERSION_MISMATCH')
  assert.instance(err, VersionMismatchError)
  assert.is((err as VersionMismatchError).peerVersion, 9)
  assert.match(err.message, `v${PROTOCOL_VERSION}`)
})

// The peeks read one field from the documented layout; these fixtures are the AUDIO one above.
test('peeks read each header field from its documented offset', () => {
  const f = fromHex(FIXTURES.AUDIO!.hex)
  assert.ok(hasMagic(f))
  assert.is(peekVersion(f), 1)
  assert.is(peekType(f), MSG.AUDIO)
  assert.is(peekFlags(f), 0)
  assert.is(peekSeq(f), 0x0102)
  assert.is(peekSession(f), 0xdeadbeef, 'unsigned, not a negative int32')
  assert.is(peekPayloadLength(f), 8)
  assert.ok(isWholeFrame(f))
  const top = fromHex('5359 07 11 00 fe ffff ffffffff 00000000 00000000')
  assert.equal([peekVersion(top), peekType(top), peekFlags(top), peekSeq(top), peekSession(top)], [7, 17, 0xfe, 0xffff, 0xffffffff])
})

test('peeks are length-checked: a short frame gives undefined, never a stray byte', () => {
  const whole = fromHex(FIXTURES.AUDIO!.hex)
  for (let n = 0; n < HEADER_BYTES; n++) {
    const short = whole.subarray(0, n)
    assert.equal(
      [peekVersion(short), peekType(short), peekFlags(short), peekSeq(short), peekSession(short), peekPayloadLength(short)],
      [undefined, undefined, undefined, undefined, undefined, undefined],
      `${n} bytes`,
    )
    assert.not.ok(hasMagic(short), `${n} bytes`)
    assert.not.ok(isWholeFrame(short), `${n} bytes`)
  }
  assert.not.ok(hasMagic(fromHex('4142 01 04 00 00 0000 00000000 00000000 00000000')))
})

test('peeks read a header inside a larger buffer through the view, not from the buffer start', () => {
  const outer = fromHex('ffff ' + FIXTURES.PING!.hex)
  const view = outer.subarray(2)
  assert.is(peekType(view), MSG.PING)
  assert.is(peekSession(view), 7)
  assert.ok(isWholeFrame(view))
})

test('isWholeFrame: the declared length must fill the bytes exactly', () => {
  const f = fromHex(FIXTURES.AUDIO!.hex)
  assert.not.ok(isWholeFrame(f.subarray(0, f.byteLength - 1)), 'truncated')
  assert.not.ok(isWholeFrame(Buffer.concat([f, Buffer.of(0)])), 'trailing byte')
  assert.ok(isWholeFrame(fromHex('5359 01 09 00 00 ffff 00000007 00000000 00000000')), 'header only, length 0')
})

test('withReliableSeq sets the RELIABLE flag and the seq on a copy, keeping every other byte and flag', () => {
  const f = fromHex('5359 01 06 00 02 0000 00000007 00000000 00000002 7b7d')
  const r = withReliableSeq(f, 0xabcd)
  assert.is(hex(r), '5359010600' + '03' + 'abcd' + '00000007' + '00000000' + '00000002' + '7b7d')
  assert.is(hex(f), '53590106000200000000000700000000000000027b7d', 'the original (maybe a shared broadcast) is untouched')
  assert.is.not(r.buffer, f.buffer)
  assert.is(peekFlags(r)! & FLAG.RELIABLE, FLAG.RELIABLE)
  assert.is(peekSeq(withReliableSeq(f, 0x1ffff)), 0xffff, 'seq is 16-bit')
  throwsCode(() => withReliableSeq(f.subarray(0, HEADER_BYTES - 1), 1), FrameError, 'TRUNCATED')
})

test('the deframer refuses an oversize frame from its header alone, before buffering the body', () => {
  const d = new Deframer(100)
  d.push(fromHex('5359 01 04 00 00 0000 00000000 00000000 00010000'))
  throwsCode(() => d.next(), FrameError, 'FRAME_TOO_LARGE')
  assert.is(d.bufferedBytes, HEADER_BYTES)
})

test('decodeFrame refuses truncated and overlong frames', () => {
  throwsCode(() => decodeFrame(fromHex('5359 01 04 00 00 0000'), 1024), FrameError, 'TRUNCATED')
  const f = FIXTURES.AUDIO!.build()
  throwsCode(() => decodeFrame(f.subarray(0, f.length - 1), 1024), FrameError, 'BAD_LENGTH')
  throwsCode(() => decodeFrame(Buffer.concat([f, Buffer.of(0)]), 1024), FrameError, 'BAD_LENGTH')
})

const BAD_CONTROL: Array<[string, number, string, RegExp]> = [
  ['not json', MSG.TERMINATE, '{reason', /not valid UTF-8 JSON/],
  ['bad utf-8', MSG.TERMINATE, '\uFFFD', /not valid UTF-8 JSON/],
  ['missing field', MSG.HELLO_REPLY, '{"version":1}', /invalid HELLO_REPLY: name:/],
  ['empty name', MSG.HELLO_REPLY, '{"version":1,"name":""}', /invalid HELLO_REPLY: name: Too small/],
  [
    'zero-width space in name',
    MSG.HELLO_REPLY,
    '{"version":1,"name":"dr\\u200bums"}',
    /invalid HELLO_REPLY: name: printable characters and plain spaces only/,
  ],
  [
    'double space in name',
    MSG.HELLO_REPLY,
    '{"version":1,"name":"stage  left"}',
    /invalid HELLO_REPLY: name: no leading, trailing or double spaces/,
  ],
  [
    'control chars in name',
    MSG.HELLO_REPLY,
    '{"version":1,"name":"a\\nb"}',
    /invalid HELLO_REPLY: name: printable characters and plain spaces only/,
  ],
  [
    'bad rate',
    MSG.HELLO,
    '{"version":1,"serverName":"s","format":{"rateHz":1,"channels":2,"format":"s16le","framesPerPacket":128},"maxPayload":512,"pingIntervalMs":1000}',
    /invalid HELLO: format.rateHz/,
  ],
]
for (const [name, type, body, message] of BAD_CONTROL) {
  test(`control payload: ${name} is a FrameError`, () => {
    const payload = name === 'bad utf-8' ? Uint8Array.of(0xff, 0xfe) : new TextEncoder().encode(body)
    const frame = decodeFrame(encodeFrame(type as 1, payload, { sessionId: 1 }), 1024)
    const err = throwsCode(() => readControl(frame), FrameError, 'BAD_PAYLOAD')
    assert.match(err.message, message)
  })
}

test('control payload: a HELLO_REPLY whose meta nests 8,100 deep (16 KiB) is a FrameError before anything walks it; 8 levels pass', () => {
  const deep = `{"version":1,"name":"x","meta":{"a":${'['.repeat(8100)}${']'.repeat(8100)}}}`
  const frame = decodeFrame(encodeFrame(MSG.HELLO_REPLY, new TextEncoder().encode(deep), { sessionId: 1 }), 32 * 1024)
  const err = throwsCode(() => readControl(frame), FrameError, 'BAD_PAYLOAD')
  assert.is(err.message, 'HELLO_REPLY payload nests deeper than 8 levels')
  const eight = `{"version":1,"name":"x","meta":{"a":[[[[[[1]]]]]]}}`
  const ok = readControl(decodeFrame(encodeFrame(MSG.HELLO_REPLY, new TextEncoder().encode(eight), { sessionId: 1 }), 1024))
  assert.equal(ok.body, { version: 1, name: 'x', meta: { a: [[[[[[1]]]]]] } })
  const nine = `{"version":1,"name":"x","meta":{"a":[[[[[[[1]]]]]]]}}`
  throwsCode(
    () => readControl(decodeFrame(encodeFrame(MSG.HELLO_REPLY, new TextEncoder().encode(nine), { sessionId: 1 }), 1024)),
    FrameError,
    'BAD_PAYLOAD',
  )
})

test("TERMINATE's body: a reason up to 512 characters as it is; a longer one cut to 511 and an ellipsis, which the schema takes", () => {
  assert.equal(terminateBody('end of source', 'end-of-source'), { reason: 'end of source', code: 'end-of-source' })
  assert.is(terminateBody('x'.repeat(512), 'operator').reason, 'x'.repeat(512))
  const long = terminateBody('x'.repeat(600), 'operator')
  assert.is(long.reason, `${'x'.repeat(511)}…`)
  assert.ok(TerminateSchema.safeParse(long).success)
})

test('property: any header and payload round-trips', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.values(MSG)),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 2048 }),
      (type, codec, flags, seq, sessionId, timestamp, payload) => {
        const bytes = encodeFrame(type, payload, { codec, flags, seq, sessionId, timestamp })
        const f = decodeFrame(bytes, 4096)
        assert.equal(f.header, { type, codec, flags, seq, sessionId, timestamp, payloadLength: payload.length })
        assert.is(hex(f.payload), hex(payload))
      },
    ),
  )
})

test('property: random bytes only ever throw FrameError, and decoding still works after', () => {
  const good = FIXTURES.AUDIO!.build()
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), fc.boolean(), (junk, withMagic) => {
      const bytes = withMagic ? Buffer.concat([Buffer.from([0x53, 0x59, 0x01]), junk]) : junk
      try {
        const f = decodeFrame(bytes, 1024)
        if (f.header.type <= 3 || f.header.type === 6) {
          try {
            readControl(f)
          } catch (err) {
            if (!(err instanceof FrameError)) throw err
          }
        }
        if (f.header.type === MSG.TIME_REQUEST || f.header.type === MSG.TIME_REPLY) {
          try {
            readTime(f)
          } catch (err) {
            if (!(err instanceof FrameError)) throw err
          }
        }
      } catch (err) {
        if (!(err instanceof FrameError)) throw err
      }
      const d = new Deframer(1024)
      d.push(bytes)
      try {
        while (d.next()) {
          /* drain */
        }
      } catch (err) {
        if (!(err instanceof FrameError)) throw err
      }
      assert.is(hex(decodeFrame(good, 1024).payload), '0100ffff0200feff')
    }),
    { numRuns: 2000 },
  )
})

test('property: a frame stream split into random chunks deframes to the same frames', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1 }),
      (payloads, cuts) => {
        const frames = payloads.map((p, i) => encodeFrame(MSG.AUDIO, p, { sessionId: 1, seq: i }))
        const stream = Buffer.concat(frames)
        const d = new Deframer(4096)
        const out: string[] = []
        let off = 0
        let i = 0
        while (off < stream.length) {
          const n = cuts[i++ % cuts.length]!
          d.push(stream.subarray(off, off + n))
          off += n
          for (let f = d.next(); f; f = d.next()) out.push(hex(f))
        }
        assert.equal(out, frames.map(hex))
      },
    ),
  )
})

test('writeHeader writes at an offset inside a larger buffer', () => {
  const buf = new Uint8Array(HEADER_BYTES + 4)
  writeHeader(buf, 4, { type: MSG.INIT, codec: 0, flags: 0, seq: 1, sessionId: 2, timestamp: 3, payloadLength: 0 })
  assert.equal(readHeader(buf.subarray(4), 0), { type: MSG.INIT, codec: 0, flags: 0, seq: 1, sessionId: 2, timestamp: 3, payloadLength: 0 })
})

test('peekType reads the type byte of a whole frame, and nothing from a short one', () => {
  assert.is(peekType(Buffer.from('5359010500000001123456780000010000000000', 'hex')), MSG.MIDI)
  assert.is(peekType(encodeFrame(MSG.AUDIO, new Uint8Array(4), { sessionId: 1 })), MSG.AUDIO)
  assert.is(peekType(Buffer.from('53590105000000011234567800000100000000', 'hex')), undefined, '19 bytes: not a header')
  assert.is(peekType(new Uint8Array(0)), undefined)
})

test.run()
