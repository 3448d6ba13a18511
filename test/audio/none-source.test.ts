// `--source none`: a MIDI-only show. It paces itself (nothing to pace), sends nothing, never ends.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { NoneSource } from '../../src/audio/none-source.js'
import type { AudioSource } from '../../src/audio/source.js'

test('no audio: sends no packet and never ends by itself, whatever the format', () => {
  const format = { rateHz: 44100, channels: 1, format: 's24le' as const }
  const s: AudioSource = new NoneSource(format)
  assert.equal([s.description, s.needsPacing, s.format], ['no audio (MIDI only)', false, format])
  let calls = 0
  s.start({ ...format, framesPerPacket: 128 }, { packet: () => calls++, end: () => calls++ })
  s.stop()
  assert.is(calls, 0)
})

test.run()
