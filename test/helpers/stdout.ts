// Catches what a command writes to process.stdout (help, --json events) in-process.

export interface Captured {
  readonly text: () => string
  /** The --json events written so far. */
  readonly events: () => Array<{ event: string } & Record<string, any>>
  restore(): void
}

export function captureStdout(): Captured {
  const chunks: string[] = []
  const original = process.stdout.write
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }) as typeof process.stdout.write
  const text = (): string => chunks.join('')
  return {
    text,
    events: () =>
      text()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l)),
    restore: () => void (process.stdout.write = original),
  }
}
