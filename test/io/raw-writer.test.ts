// The raw writer behind `--sink raw:` and `--midi-out raw:`: every byte reaches a file, and a
// pipe whose reader has gone (EPIPE) stops the writing without throwing into the show.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RawWriter } from '../../src/raw-writer.js'

test('bytes written in pieces arrive whole and in order in a file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'synchro-raw-')), 'out.raw')
  const w = new RawWriter(path)
  const all = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff)
  for (let at = 0; at < all.length; at += 4096) w.write(all.subarray(at, at + 4096))
  w.close()
  assert.equal(new Uint8Array(readFileSync(path)), all)
})

test('a pipe whose reader has exited: the write that meets the closed end stops the writing (EPIPE), later writes are no-ops', async () => {
  const fifo = join(mkdtempSync(join(tmpdir(), 'synchro-raw-')), 'pipe')
  execFileSync('mkfifo', [fifo])
  // A reader that takes one byte and leaves, as `head -c 1` does.
  const reader = spawn('head', ['-c', '1', fifo], { stdio: 'ignore' })
  const w = new RawWriter(fifo)
  w.write(Uint8Array.of(1))
  await new Promise((r) => reader.once('exit', r))
  const chunk = new Uint8Array(70_000) // more than a pipe holds: this write meets the closed end
  assert.not.throws(() => w.write(chunk))
  assert.not.throws(() => w.write(chunk))
  w.close()
})

test.run()
