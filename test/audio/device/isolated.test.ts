// The device hosts asked off the event loop (isolated.ts): a rig goes on with its show while a
// host lists or probes cards, and a host that does not answer in time is one line saying what
// it was asked, not a quoted line of ALSA's chatter.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DeviceError } from '../../../src/errors.js'
import { audioDevices, runHostAsync } from '../../../src/audio/device/isolated.js'

test('listing through a host off the event loop: the loop keeps turning meanwhile, and the answer comes', async () => {
  let turns = 0
  const timer = setInterval(() => turns++, 5)
  const t0 = performance.now()
  const answer = await runHostAsync(['list'], 'listing sound cards').finally(() => clearInterval(timer))
  const tookMs = performance.now() - t0
  // A host starts Node and PortAudio (~0.2-0.3 s here): the loop turned through it.
  assert.ok(turns >= Math.floor(tookMs / 5 / 4), `${turns} turns of a 5 ms timer in ${tookMs.toFixed(0)} ms`)
  assert.ok('devices' in answer.result || 'error' in answer.result, JSON.stringify(answer.result))
})

test('a host that does not answer in time: killed, and one line naming what it was asked, nothing of its stderr', async () => {
  const err = await runHostAsync(['list'], 'checking which formats the card takes', 1).catch((e: unknown) => e)
  assert.instance(err, DeviceError)
  assert.is((err as DeviceError).code, 'DEVICE_FAILED')
  assert.is(
    (err as Error).message,
    'the sound system did not answer within 0.001 s, 2 tries, while checking which formats the card takes (is it stalled or overloaded?)',
  )
})

test('audioDevices() offers the asynchronous list and probe beside the synchronous ones', async () => {
  const d = audioDevices()
  assert.type(d.listAsync, 'function')
  assert.type(d.probeAsync, 'function')
  const listed = await d.listAsync!().then(
    (l) => l,
    (e: unknown) => e,
  )
  // Where PortAudio is missing it says so in one line; where it is here, a list.
  assert.ok(Array.isArray(listed) || (listed instanceof DeviceError && listed.code === 'NO_AUDIO_SYSTEM'), String(listed))
})

test.run()
