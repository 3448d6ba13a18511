// One class per kind of failure, as undici's lib/core/errors.js does it: each has a constant
// `name`, a literal union of the codes it may carry (a code that is not in it does not
// compile) and a default message. Callers branch on the class or the code, never on the
// message; people read `message`, one line a stage tech understands.
// Which class decides the exit code (src/cli/cli.ts): UsageError and ProfileError exit 2
// (the command line or a file it named is wrong), everything else 1.

/** What a peer is told when an error ends its connection (TERMINATE's `code`). */
export type CloseCode = 'protocol-error' | 'version-mismatch'

export interface SynchroErrorOptions {
  cause?: unknown
  /** @default 'protocol-error' */
  closeCode?: CloseCode
}

export abstract class SynchroError<C extends string = string> extends Error {
  abstract override readonly name: string
  readonly code: C
  /**
   * Set where the error is raised (as ws puts the close status on the error its receiver
   * raises), so whoever closes the peer does not map codes to close reasons by string.
   */
  readonly closeCode: CloseCode
  constructor(code: C, message: string, options: SynchroErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.closeCode = options.closeCode ?? 'protocol-error'
  }
}

export type FrameErrorCode =
  | 'BAD_MAGIC'
  | 'VERSION_MISMATCH'
  | 'UNKNOWN_TYPE'
  | 'FRAME_TOO_LARGE'
  | 'TRUNCATED'
  | 'BAD_LENGTH'
  | 'NOT_CONTROL'
  | 'BAD_PAYLOAD'
  | 'BAD_BUNDLE'
  | 'BAD_MIDI'
  | 'BAD_MIDI_ACK'

/** Bytes that do not make a valid frame: bad magic, wrong version, oversize, bad payload. */
export class FrameError extends SynchroError<FrameErrorCode> {
  // VersionMismatchError (src/codec/header.ts) is the one subclass.
  override readonly name: 'FrameError' | 'VersionMismatchError' = 'FrameError'
  constructor(code: FrameErrorCode, message = 'not a valid Synchro frame', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

export type ProtocolErrorCode = 'UNEXPECTED' | 'BAD_CODEC'

/** A well-formed message that is not allowed in the current state. */
export class ProtocolError extends SynchroError<ProtocolErrorCode> {
  override readonly name = 'ProtocolError'
  constructor(code: ProtocolErrorCode, message = 'a message that is not allowed now', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

export type TimeoutErrorCode = 'CONNECT_TIMEOUT' | 'NO_ACK' | 'TOO_SLOW' | 'SWITCH_TIMEOUT'

/** A peer stayed silent, or a connection did not come up, in time. */
export class TimeoutError extends SynchroError<TimeoutErrorCode> {
  override readonly name = 'TimeoutError'
  constructor(code: TimeoutErrorCode, message = 'no answer in time', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

export type ConnectionErrorCode = 'CONNECT_FAILED' | 'LISTEN_FAILED' | 'CLOSED' | 'SWITCH_CLOSED' | 'SWITCH_REFUSED' | 'OTHER_SHOW'

/**
 * A connection that could not be made or was refused or closed under us. The operating
 * system's reason (ECONNREFUSED, EADDRINUSE, ...) is the `cause`.
 */
export class ConnectionError extends SynchroError<ConnectionErrorCode> {
  override readonly name = 'ConnectionError'
  constructor(code: ConnectionErrorCode, message = 'the connection failed', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

export type InvalidStateErrorCode = 'SESSION_ENDED' | 'FORMAT_CHANGED'

/** An operation on something already closed, or opened for something else. */
export class InvalidStateError extends SynchroError<InvalidStateErrorCode> {
  override readonly name = 'InvalidStateError'
  constructor(code: InvalidStateErrorCode, message = 'already closed', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

export type UsageErrorCode =
  | 'BAD_COMMAND'
  | 'BAD_FLAG'
  | 'NOT_A_TERMINAL'
  | 'FORMAT_CLASH'
  | 'BAD_SOURCE'
  | 'SOURCE_UNREADABLE'
  | 'SOURCE_NOT_WAV'
  | 'SOURCE_FORMAT'
  | 'SOURCE_EMPTY'
  | 'NOT_BIT_EXACT'
  | 'SHOW_FORMAT'
  | 'BAD_SINK'
  | 'SINK_UNWRITABLE'
  | 'BAD_MIDI_SPEC'
  | 'BAD_MIDI_FILE'
  | 'MIDI_UNREADABLE'
  | 'MIDI_UNWRITABLE'
  | 'UNKNOWN_DEVICE'
  | 'AMBIGUOUS_DEVICE'
  | 'UNKNOWN_PORT'
  | 'AMBIGUOUS_PORT'
  | 'UNKNOWN_RIG'
  | 'WHICH_RIG'

/** Bad operator input: flags, specs, the files and devices they name. Exits 2. */
export class UsageError extends SynchroError<UsageErrorCode> {
  override readonly name = 'UsageError'
  constructor(code: UsageErrorCode, message = 'bad command line (see synchro --help)', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

/** Written once: the type is this list's, and the check a device host's answer goes through reads it. */
const DEVICE_ERROR_CODES = [
  'NO_AUDIO_SYSTEM',
  'NO_MIDI_SYSTEM',
  'NO_DEVICE',
  'DEVICE_BUSY',
  'DEVICE_FAILED',
  'FORMAT_UNSUPPORTED',
  'MIDI_PORT_FAILED',
] as const

export type DeviceErrorCode = (typeof DEVICE_ERROR_CODES)[number]

/** For a code that crossed a process boundary (the device host answers in JSON). */
export function isDeviceErrorCode(code: unknown): code is DeviceErrorCode {
  return typeof code === 'string' && (DEVICE_ERROR_CODES as readonly string[]).includes(code)
}

/**
 * A fault of this machine, not of the command line: no audio or MIDI system, a card that is
 * busy, missing or refuses every format. Exits 1: the same command may work once the
 * device is free or the system is up.
 */
export class DeviceError extends SynchroError<DeviceErrorCode> {
  override readonly name = 'DeviceError'
  constructor(code: DeviceErrorCode, message = 'an audio or MIDI device failed', options?: SynchroErrorOptions) {
    super(code, message, options)
  }
}

/** A show profile that does not validate; carries one line per problem. Exits 2. */
export class ProfileError extends SynchroError<'BAD_PROFILE'> {
  override readonly name = 'ProfileError'
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super('BAD_PROFILE', problems.length ? problems.join('\n') : 'the profile does not validate')
    this.problems = problems
  }
}

/** The process's exit code for a failure: 2 for a bad command line or profile, 1 for anything else (a DeviceError too). */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof UsageError || err instanceof ProfileError ? 2 : 1
}

/** The one-line text to show for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err)
  return String(err)
}
