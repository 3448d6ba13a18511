// A MIDI output's own thread, for real: a worker writing into a FIFO this test reads. A
// message due later is not written before its time (however soon this thread asks), in the
// order handed over; a flush writes what waits at once; close writes the rest; and a raw
// output to a FIFO has the thread as its scheduler where a file keeping the bytes has none.
import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RawMidiOutput } from '../../src/midi/raw-output.js'
import { ThreadedMidiOut } from '../../src/midi/threaded-midi-out.js'
import { until } from '../helpers/wait.js'

/** A FIFO: the write end for the thread, and a non-blocking reader that stamps what it reads with this thread's clock. */
function fifo() {
  const dir = mkdtempSync(join(tmpdir(), 'synchro-midi-thread-'))
  const path = join(dir, 'out')
  execFileSync('mkfifo', [path])
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  const writeFd = openSync(path, constants.O_WRONLY)
  const got: Array<{ ms: number; bytes: number[] }> = []
  const buf = Buffer.alloc(256)
  const poll = () => {
    for (;;) {
      let n = 0
      try {
        n = readSync(readFd, buf, 0, buf.length, null)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return
        throw err
      }
      if (n === 0) return
      got.push({ ms: performance.now(), bytes: [...buf.subarray(0, n)] })
    }
  }
  const bytes = () => got.flatMap((g) => g.bytes)
  const close = () => {
    closeSync(readFd)
    closeSync(writeFd)
    rmSync(dir, { recursive: true, force: true })
  }
  return { path, writeFd, got, poll, bytes, close }
}

test('each message is written at its time, not before, in the order handed over', async () => {
  const f = fifo()
  const out = new ThreadedMidiOut(f.writeFd)
  try {
    const t0 = performance.now()
    assert.ok(out.at(Uint8Array.of(0x90, 60, 100), t0 + 60))
    assert.ok(out.at(Uint8Array.of(0x80, 60, 0), t0 + 120))
    assert.is(out.pending, 2)
    await until(() => (f.poll(), f.bytes().length >= 6), 10_000, 'both messages')
    assert.equal(f.bytes(), [0x90, 60, 100, 0x80, 60, 0])
    // Stamped when this thread read them: never before their time (a read can only be later).
    const firstAt = f.got.find((g) => g.bytes[0] === 0x90)!.ms
    const offAt = f.got.find((g) => g.bytes.includes(0x80))!.ms
    assert.ok(firstAt >= t0 + 60, `note-on read ${(firstAt - t0).toFixed(3)} ms in, due at 60`)
    assert.ok(offAt >= t0 + 120, `note-off read ${(offAt - t0).toFixed(3)} ms in, due at 120`)
    await out.whenWritten()
    assert.is(out.pending, 0)
  } finally {
    await out.close()
    f.close()
  }
})

test('flush writes what waits at once; close writes the rest and ends the thread', async () => {
  const f = fifo()
  const out = new ThreadedMidiOut(f.writeFd)
  try {
    const t0 = performance.now()
    out.at(Uint8Array.of(0x90, 1, 1), t0 + 60_000)
    out.flush()
    await until(() => (f.poll(), f.bytes().length >= 3), 10_000, 'the flushed message')
    assert.ok(performance.now() - t0 < 30_000, 'written long before its time')
    out.at(Uint8Array.of(0x90, 2, 1), performance.now() + 60_000)
    await out.close()
    f.poll()
    assert.equal(f.bytes(), [0x90, 1, 1, 0x90, 2, 1])
    assert.is(out.at(Uint8Array.of(0xf8), 0), false, 'a closed output takes nothing')
  } finally {
    await out.close()
    f.close()
  }
})

test('a raw output to a FIFO schedules on its thread; one to a file has no scheduler; send waits behind what is scheduled', async () => {
  const f = fifo()
  const dir = mkdtempSync(join(tmpdir(), 'synchro-midi-file-'))
  const file = new RawMidiOutput(join(dir, 'out.raw'))
  assert.is(file.scheduler(), undefined)
  await file.close()
  rmSync(dir, { recursive: true, force: true })
  const out = new RawMidiOutput(f.path)
  try {
    const s = out.scheduler()
    assert.ok(s, 'a FIFO has a scheduler')
    assert.is(out.scheduler(), s, 'one thread per output')
    s.at(Uint8Array.of(0x90, 60, 100), performance.now() + 50)
    out.send(Uint8Array.of(0xb0, 123, 0))
    await s.whenWritten()
    await until(() => (f.poll(), f.bytes().length >= 6), 10_000, 'both messages')
    assert.equal(f.bytes(), [0x90, 60, 100, 0xb0, 123, 0], 'the message sent at once came after the scheduled one')
  } finally {
    await out.close()
    f.close()
  }
})

test.run()
