// Small helpers shared by codec and session tests.

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'))
}

/** Asserts that fn throws an error of class C with the given code, and returns it. */
export function throwsCode<C extends abstract new (...a: never[]) => Error & { code: string }>(
  fn: () => unknown,
  C: C,
  code: string,
): InstanceType<C> {
  try {
    fn()
  } catch (err) {
    if (!(err instanceof C)) throw new Error(`expected ${C.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`)
    if (err.code !== code) throw new Error(`expected code ${code}, got ${err.code}: ${err.message}`)
    return err as InstanceType<C>
  }
  throw new Error(`expected ${C.name} ${code}, nothing was thrown`)
}
