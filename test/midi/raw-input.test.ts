// `--midi-in raw:PATH`: a file is read as fast as it reads, parsed into whole messages, and
// ends; a FIFO is held open so a writer leaving is not the end; invalid bytes are counted.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawMidiInput } from '../../src/midi/raw-input.js'
import { SynchroError } from '../../src/errors.js'
import { until } from '../helpers/wait.js'
import { thrown } from '../helpers/thrown.js'

const dir = mkdtempSync(join(tmpdir(), 'synchro-raw-midi-in-'))

function listen(input: RawMidiInput) {
  const messages: number[][] = []
  let ended: Error | undefined | null = null
  input.start({ message: (m) => messages.push(Array.from(m)), end: (err) => (ended = err) })
  return { messages, ended: () => ended }
}

test('a file: running status expanded, real-time bytes kept, a stray data byte counted, then the end', async () => {
  const path = join(dir, 'in.raw')
  writeFileSync(path, Uint8Array.of(0x90, 60, 100, 62, 100, 0xf8, 0x42, 0xb0, 7, 127))
  const input = new RawMidiInput(path)
  assert.equal([input.description, input.finite, input.invalidBytes], [`raw MIDI from ${path}`, true, 0])
  const got = listen(input)
  await until(() => got.ended() !== null, 5000, 'the end of the file')
  assert.is(got.ended(), undefined)
  assert.equal(got.messages, [[0x90, 60, 100], [0x90, 62, 100], [0xf8], [0xb0, 7, 127]])
  // 0x42 after the clock byte runs on 0x90's running status; it is a note-on's first byte, then 0xb0 cuts it.
  assert.is(input.invalidBytes, 1)
  input.stop()
})

test('a FIFO: not finite, and one writer leaving is not the end of the input', async () => {
  const path = join(dir, 'keys.fifo')
  execFileSync('mkfifo', [path])
  const input = new RawMidiInput(path)
  assert.equal([input.description, input.finite], [`raw MIDI from FIFO ${path}`, false])
  const got = listen(input)
  for (const note of [60, 61]) {
    // Each writer opens, plays a note and leaves, as a controller program may during a show.
    const fd = openSync(path, 'w')
    writeSync(fd, Uint8Array.of(0x90, note, 100))
    closeSync(fd)
    await until(() => got.messages.length === note - 59, 5000, `note ${note}`)
  }
  assert.equal(got.messages, [
    [0x90, 60, 100],
    [0x90, 61, 100],
  ])
  assert.is(got.ended(), null, 'still open for the next writer')
  input.stop()
})

test("batchEnd comes after each chunk's messages, once per chunk", async () => {
  const path = join(dir, 'chunks.fifo')
  execFileSync('mkfifo', [path])
  const input = new RawMidiInput(path)
  const log: string[] = []
  input.start({ message: (m) => log.push(`msg ${m[1]}`), end: () => log.push('end'), batchEnd: () => log.push('batch') })
  const fd = openSync(path, 'w')
  writeSync(fd, Uint8Array.of(0x90, 60, 100, 0x90, 62, 100))
  await until(() => log.length === 3, 5000, 'the first chunk')
  writeSync(fd, Uint8Array.of(0x90, 64, 100))
  await until(() => log.length === 5, 5000, 'the second chunk')
  closeSync(fd)
  assert.equal(log, ['msg 60', 'msg 62', 'batch', 'msg 64', 'batch'])
  input.stop()
})

test('an unreadable path: MIDI_UNREADABLE with the reason in words', () => {
  const path = join(dir, 'nope.raw')
  const err = thrown(() => new RawMidiInput(path))
  assert.instance(err, SynchroError)
  assert.equal([err.code, err.message], ['MIDI_UNREADABLE', `cannot read MIDI from ${path}: no such file or directory`])
  assert.is(new RawMidiInput('-').description, 'raw MIDI from stdin')
})

test.run()
