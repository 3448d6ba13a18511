// `--midi-out log`: one event per message, with its bytes and show position, and a readable line.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { LogMidiOutput } from '../../src/midi/log-output.js'

test('each message as an event and a line', async () => {
  const got: Array<[unknown, string]> = []
  const log = new LogMidiOutput((event, line) => got.push([event, line]))
  assert.is(log.description, 'log')
  log.send(Uint8Array.of(0x91, 64, 90), 48000)
  log.send(Uint8Array.of(0xb0, 7, 100), 48128)
  log.send(Uint8Array.of(0xe2, 0, 0x40), 0)
  log.send(Uint8Array.of(0xf0, 1, 2, 0xf7), 5)
  await log.close()
  assert.equal(got, [
    [{ event: 'midi', data: [0x91, 64, 90], position: 48000 }, 'midi note-on ch2 64 vel 90'],
    [{ event: 'midi', data: [0xb0, 7, 100], position: 48128 }, 'midi cc ch1 7 = 100'],
    [{ event: 'midi', data: [0xe2, 0, 0x40], position: 0 }, 'midi pitch-bend ch3 0'],
    [{ event: 'midi', data: [0xf0, 1, 2, 0xf7], position: 5 }, 'midi sysex 4 bytes'],
  ])
})

test('the event holds its own copy of the bytes', () => {
  let data: number[] = []
  const log = new LogMidiOutput((event) => (data = event.data))
  const buf = Uint8Array.of(0x90, 60, 100)
  log.send(buf, 0)
  buf[2] = 0
  assert.equal(data, [0x90, 60, 100])
})

test.run()
