// One base error with a string code, as undici and ws do: callers branch on
// `code`, people read `message`. Messages are one line a stage tech understands.

export class SynchroError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Bytes that do not make a valid frame: bad magic, wrong version, oversize, bad payload. */
export class FrameError extends SynchroError {}

/** A well-formed message that is not allowed in the current state. */
export class ProtocolError extends SynchroError {}

/** A peer stayed silent, or a connection did not come up, in time. */
export class TimeoutError extends SynchroError {}

/** An operation on something already closed or not yet ready. */
export class InvalidStateError extends SynchroError {}

/** Bad operator input: flags, specs, files. */
export class UsageError extends SynchroError {}

/** A show profile that does not validate; carries one line per problem. */
export class ProfileError extends SynchroError {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    super('BAD_PROFILE', problems.join('\n'))
    this.problems = problems
  }
}

/** The one-line text to show for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err)
  return String(err)
}
