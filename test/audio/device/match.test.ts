// A card named on the command line: the whole name or a unique prefix, any case, among the
// devices of that direction; the default when none is named; near names offered when
// nothing matches. Asserted by code and message (the class may move: issue 11 gives device
// faults their own, so only the base class is asserted).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { matchDevice } from '../../../src/audio/device/match.js'
import type { AudioDeviceInfo } from '../../../src/audio/device/portaudio.js'
import { SynchroError } from '../../../src/errors.js'
import { thrown } from '../../helpers/thrown.js'

let nextId = 0
const dev = (name: string, inputs: number, outputs: number): AudioDeviceInfo => ({
  id: nextId++,
  name,
  hostApi: 'ALSA',
  inputChannels: inputs,
  outputChannels: outputs,
  defaultRateHz: 48000,
  defaultLowInputLatencyMs: 5,
  defaultLowOutputLatencyMs: 5,
})

const cards = [
  dev('HDA Intel PCH: ALC257 Analog', 2, 2),
  dev('Focusrite Scarlett 2i2', 2, 2),
  dev('Focusrite Clarett', 8, 0),
  dev('default', 32, 32),
  dev('HDMI 0', 0, 8),
]

function refused(wanted: string | undefined, devices: AudioDeviceInfo[], direction: 'input' | 'output') {
  const err = thrown(() => matchDevice(wanted, devices, direction))
  assert.instance(err, SynchroError)
  return err
}

test('the whole name, any case; a unique prefix', () => {
  assert.is(matchDevice('focusrite scarlett 2i2', cards, 'output').name, 'Focusrite Scarlett 2i2')
  assert.is(matchDevice('HDA', cards, 'input').name, 'HDA Intel PCH: ALC257 Analog')
  assert.is(matchDevice('hdmi', cards, 'output').name, 'HDMI 0')
})

test('only devices of that direction count: a prefix unique among outputs is not ambiguous', () => {
  // Two "Focusrite" cards, but the Clarett has no outputs.
  assert.is(matchDevice('Focusrite', cards, 'output').name, 'Focusrite Scarlett 2i2')
  const err = refused('hdmi', cards, 'input')
  assert.is(err.code, 'UNKNOWN_DEVICE')
})

test('an exact name wins over the prefix it also is', () => {
  const list = [dev('USB', 2, 2), dev('USB Audio CODEC', 2, 2)]
  assert.is(matchDevice('usb', list, 'output').name, 'USB')
})

test('no name: the system default, else the first of that direction', () => {
  assert.is(matchDevice(undefined, cards, 'output').name, 'default')
  assert.is(matchDevice('', cards, 'input').name, 'default')
  assert.is(
    matchDevice(
      undefined,
      cards.filter((d) => d.name !== 'default'),
      'output',
    ).name,
    'HDA Intel PCH: ALC257 Analog',
  )
  const err = refused(undefined, [dev('HDMI 0', 0, 8)], 'input')
  assert.equal([err.code, err.message], ['NO_DEVICE', 'this machine has no audio input device'])
})

test('an ambiguous prefix names every match', () => {
  const err = refused('focusrite', cards, 'input')
  assert.equal(
    [err.code, err.message],
    ['AMBIGUOUS_DEVICE', "audio input 'focusrite' matches 'Focusrite Scarlett 2i2', 'Focusrite Clarett': say which"],
  )
})

test('a typo: the near names are offered', () => {
  const err = refused('Focusrite Scarlet 2i2', cards, 'output')
  assert.is(err.code, 'UNKNOWN_DEVICE')
  assert.is(
    err.message,
    "no audio output named 'Focusrite Scarlet 2i2'; did you mean 'Focusrite Scarlett 2i2'? (synchro devices lists them)",
  )
  // Near is within 3 edits or half the name's length: synchro_jack (6 away) is not offered.
  assert.is(
    refused('synchr0', [dev('synchro', 2, 2), dev('synchro_jack', 2, 2)], 'input').message,
    "no audio input named 'synchr0'; did you mean 'synchro'? (synchro devices lists them)",
  )
})

test('nothing near: the devices of that direction are listed; none at all: nothing to list', () => {
  const err = refused('zzzzzzzzzzzz', [dev('default', 2, 2), dev('HDMI 0', 0, 8)], 'input')
  assert.is(err.message, "no audio input named 'zzzzzzzzzzzz'; inputs here: 'default' (synchro devices lists them)")
  assert.is(refused('x', [], 'output').message, "no audio output named 'x' (synchro devices lists them)")
})

test.run()
