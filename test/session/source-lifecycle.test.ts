// The show's source from the server's side: started once, packets counted in frames and
// handed on, its end and its failure turned into the reason and code the show ends with.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { AudioFormat } from '../../src/codec/format.js'
import type { AudioSource, SourceHandlers } from '../../src/audio/source.js'
import { SourceLifecycle } from '../../src/session/source-lifecycle.js'
import { FORMAT } from '../helpers/session.js'

/** A source the test drives by hand. */
class HandSource implements AudioSource {
  readonly description = 'hand'
  readonly format = { rateHz: 48000, channels: 2, format: 's16le' as const }
  readonly needsPacing = false
  starts: AudioFormat[] = []
  stops = 0
  on: SourceHandlers | undefined
  start(format: AudioFormat, on: SourceHandlers): void {
    this.starts.push(format)
    this.on = on
  }
  stop(): void {
    this.stops++
  }
}

function lifecycle(durationS?: number) {
  const source = new HandSource()
  const packets: number[] = []
  const ends: string[] = []
  const life = new SourceLifecycle({
    source,
    format: FORMAT,
    onPacket: (pcm) => packets.push(pcm.byteLength),
    onEnd: (reason, code) => ends.push(`${code}: ${reason}`),
    ...(durationS !== undefined ? { durationS } : {}),
  })
  return { source, life, packets, ends }
}

test('started once in the show format; each packet handed on and counted in frames', () => {
  const l = lifecycle()
  assert.is(l.source.starts.length, 0, 'nothing before start')
  l.life.start()
  l.life.start()
  assert.equal(l.source.starts, [FORMAT], 'a second start does nothing')
  l.source.on!.packet(new Uint8Array(512))
  l.source.on!.packet(new Uint8Array(100)) // a short last packet: 25 frames of s16 stereo
  assert.equal(l.packets, [512, 100])
  assert.is(l.life.framesRead, 153)
})

test('the end of the source ends the show as end-of-source; a failure as source-error, with its message', () => {
  const l = lifecycle()
  l.life.start()
  l.source.on!.end()
  l.source.on!.end(new Error('disk unplugged'))
  assert.equal(l.ends, ['end-of-source: end of source', 'source-error: source failed: disk unplugged'])
})

test('--duration is counted in frames: the packet that reaches it is cut to it, the show ends there once, and nothing after it is the show', () => {
  const l = lifecycle(0.005) // 240 frames at 48 kHz
  l.life.start()
  l.source.on!.packet(new Uint8Array(128 * 4))
  assert.equal(l.ends, [], 'not yet')
  l.source.on!.packet(new Uint8Array(128 * 4)) // 16 frames over
  assert.equal(l.packets, [512, 112 * 4])
  assert.is(l.life.framesRead, 240)
  assert.equal(l.ends, ['duration: duration of 0.005 s reached'])
  l.source.on!.packet(new Uint8Array(128 * 4))
  l.source.on!.end()
  assert.equal([l.packets.length, l.life.framesRead, l.ends.length], [2, 240, 1], 'a source that goes on is not heard')
})

test('a packet that ends exactly on the duration is passed whole', () => {
  const l = lifecycle(256 / 48000)
  l.life.start()
  l.source.on!.packet(new Uint8Array(128 * 4))
  l.source.on!.packet(new Uint8Array(128 * 4))
  assert.equal(l.packets, [512, 512])
  assert.is(l.ends.length, 1)
})

test('stop stops the source, started or not', () => {
  const l = lifecycle()
  l.life.stop()
  l.life.start()
  l.life.stop()
  assert.is(l.source.stops, 2)
})

test.run()
