// Every error class: its constant name, its code, its message (given or default), the close
// code a peer is told, and the exit code the CLI gives it; then the real throw sites that
// decide between a usage error (exit 2) and a device fault (exit 1).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  ConnectionError,
  DeviceError,
  describeError,
  exitCodeOf,
  FrameError,
  InvalidStateError,
  isDeviceErrorCode,
  ProfileError,
  ProtocolError,
  SynchroError,
  TimeoutError,
  UsageError,
} from '../src/errors.js'
import { PROTOCOL_VERSION, readHeader, VersionMismatchError } from '../src/codec/header.js'
import { openNegotiated } from '../src/audio/device/negotiate.js'
import { matchDevice } from '../src/audio/device/match.js'
import type { AudioDeviceInfo } from '../src/audio/device/portaudio.js'
import { throwsCode } from './helpers/frames.js'

const CASES: Array<[SynchroError, string, string, string, 1 | 2]> = [
  [new FrameError('BAD_MAGIC', 'not a Synchro frame'), 'FrameError', 'BAD_MAGIC', 'not a Synchro frame', 1],
  [new FrameError('TRUNCATED'), 'FrameError', 'TRUNCATED', 'not a valid Synchro frame', 1],
  [new ProtocolError('UNEXPECTED', 'HELLO sent twice'), 'ProtocolError', 'UNEXPECTED', 'HELLO sent twice', 1],
  [new ProtocolError('BAD_CODEC'), 'ProtocolError', 'BAD_CODEC', 'a message that is not allowed now', 1],
  [new TimeoutError('NO_ACK'), 'TimeoutError', 'NO_ACK', 'no answer in time', 1],
  [
    new ConnectionError('CONNECT_FAILED', 'cannot reach h:1: connection refused'),
    'ConnectionError',
    'CONNECT_FAILED',
    'cannot reach h:1: connection refused',
    1,
  ],
  [new ConnectionError('CLOSED'), 'ConnectionError', 'CLOSED', 'the connection failed', 1],
  [new InvalidStateError('SESSION_ENDED'), 'InvalidStateError', 'SESSION_ENDED', 'already closed', 1],
  [new InvalidStateError('FORMAT_CHANGED', 'format changed'), 'InvalidStateError', 'FORMAT_CHANGED', 'format changed', 1],
  [new UsageError('BAD_FLAG', '--port must be a whole number'), 'UsageError', 'BAD_FLAG', '--port must be a whole number', 2],
  [new UsageError('BAD_COMMAND'), 'UsageError', 'BAD_COMMAND', 'bad command line (see synchro --help)', 2],
  [new DeviceError('DEVICE_BUSY', 'busy'), 'DeviceError', 'DEVICE_BUSY', 'busy', 1],
  [new DeviceError('NO_MIDI_SYSTEM'), 'DeviceError', 'NO_MIDI_SYSTEM', 'an audio or MIDI device failed', 1],
  [new ProfileError(['a: bad', 'b: worse']), 'ProfileError', 'BAD_PROFILE', 'a: bad\nb: worse', 2],
]

for (const [err, name, code, message, exit] of CASES) {
  test(`${name} ${code}: name, code, message, close code, exit ${exit}`, () => {
    assert.instance(err, SynchroError)
    assert.instance(err, Error)
    assert.is(err.name, name)
    assert.is(err.constructor.name, name)
    assert.is(err.code, code)
    assert.is(err.message, message)
    assert.is(err.closeCode, 'protocol-error')
    assert.is(exitCodeOf(err), exit)
  })
}

test('codes are literal: a code a class does not carry does not compile', () => {
  // @ts-expect-error 'TYPO' is not a UsageError code
  const typo = new UsageError('TYPO', 'x')
  // @ts-expect-error a device fault is not a usage error
  const wrongClass = new UsageError('DEVICE_BUSY', 'x')
  // @ts-expect-error SynchroError is abstract: pick the class for the condition
  const base = () => new SynchroError('X', 'y')
  assert.is(typo.code, 'TYPO')
  assert.is(wrongClass.name, 'UsageError')
  assert.type(base, 'function')
})

test('a cause is kept, and none is not invented', () => {
  const os = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  assert.is(new ConnectionError('CONNECT_FAILED', 'cannot reach', { cause: os }).cause, os)
  assert.not.ok('cause' in new ConnectionError('CONNECT_FAILED', 'cannot reach'))
})

test('a version mismatch carries its close code from where it is raised, the codec', () => {
  const err = new VersionMismatchError(PROTOCOL_VERSION + 1)
  assert.instance(err, FrameError)
  assert.equal(
    [err.name, err.code, err.closeCode, err.peerVersion],
    ['VersionMismatchError', 'VERSION_MISMATCH', 'version-mismatch', PROTOCOL_VERSION + 1],
  )
  assert.is(
    err.message,
    `peer speaks Synchro protocol v${PROTOCOL_VERSION + 1}, this side speaks v${PROTOCOL_VERSION}: run the same Synchro version on both`,
  )
  assert.match(new VersionMismatchError(2, 'rig').message, /^rig speaks Synchro protocol v2, /)
  const raised = throwsCode(
    () => readHeader(new Uint8Array([0x53, 0x59, PROTOCOL_VERSION + 1]), 1024),
    VersionMismatchError,
    'VERSION_MISMATCH',
  )
  assert.is(raised.closeCode, 'version-mismatch')
  const badMagic = throwsCode(() => readHeader(new Uint8Array([0x47, 0x45]), 1024), FrameError, 'BAD_MAGIC')
  assert.is(badMagic.closeCode, 'protocol-error')
})

test('isDeviceErrorCode: only DeviceError codes pass (a device host answers in JSON)', () => {
  for (const c of [
    'NO_AUDIO_SYSTEM',
    'NO_MIDI_SYSTEM',
    'NO_DEVICE',
    'DEVICE_BUSY',
    'DEVICE_FAILED',
    'FORMAT_UNSUPPORTED',
    'MIDI_PORT_FAILED',
  ])
    assert.ok(isDeviceErrorCode(c), c)
  for (const c of ['BAD_FLAG', 'ENOENT', '', undefined, 7, null]) assert.not.ok(isDeviceErrorCode(c), String(c))
})

test('exitCodeOf: anything that is not a usage or profile error exits 1', () => {
  assert.is(exitCodeOf(new Error('boom')), 1)
  assert.is(exitCodeOf('a string'), 1)
  assert.is(exitCodeOf(undefined), 1)
})

test('describeError: the first line only, for anything thrown', () => {
  assert.is(describeError(new ProfileError(['first', 'second'])), 'first')
  assert.is(describeError('plain'), 'plain')
})

const card = (o: Partial<AudioDeviceInfo> = {}): AudioDeviceInfo => ({
  id: 1,
  name: 'Card',
  hostApi: 'ALSA',
  inputChannels: 2,
  outputChannels: 2,
  defaultRateHz: 48000,
  defaultLowInputLatencyMs: 5,
  defaultLowOutputLatencyMs: 5,
  ...o,
})

test('a busy card is a DeviceError DEVICE_BUSY (exit 1), not a usage error', () => {
  const busy = (): never => {
    throw new Error('Could not open stream: Device unavailable')
  }
  const err = throwsCode(
    () => openNegotiated(busy, { rateHz: 48000, format: 's16le' }, card(), 'output', false),
    DeviceError,
    'DEVICE_BUSY',
  )
  assert.is(err.message, "audio output 'Card' is busy: another program has it open (close it, or pick another device with synchro devices)")
  assert.is(exitCodeOf(err), 1)
})

test('a card that takes no format tried is a DeviceError FORMAT_UNSUPPORTED', () => {
  const refuse = (): never => {
    throw new Error('Format not supported: Invalid sample rate')
  }
  const err = throwsCode(
    () => openNegotiated(refuse, { rateHz: 48000, format: 's16le' }, card({ defaultRateHz: 48000 }), 'input', true),
    DeviceError,
    'FORMAT_UNSUPPORTED',
  )
  assert.match(err.message, /^audio input 'Card' takes none of the formats tried: 48000 Hz s16le \(Invalid sample rate\)/)
})

test('no device at all is a DeviceError; a name that matches none is a UsageError', () => {
  const none = throwsCode(() => matchDevice(undefined, [card({ outputChannels: 0 })], 'output'), DeviceError, 'NO_DEVICE')
  assert.is(none.message, 'this machine has no audio output device')
  const unknown = throwsCode(() => matchDevice('Zzzzzzzz', [card()], 'input'), UsageError, 'UNKNOWN_DEVICE')
  assert.is(exitCodeOf(unknown), 2)
  throwsCode(() => matchDevice('c', [card({ name: 'Card A' }), card({ name: 'Card B' })], 'input'), UsageError, 'AMBIGUOUS_DEVICE')
})

test.run()
