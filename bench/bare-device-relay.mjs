// The bare baseline for device-to-device latency: capture a sound card in one Node process,
// send each buffer over a UDP socket to a second process that plays it on another card.
// usage: node bare-device-relay.mjs in DEVICE FRAMES PORT      (capture -> 127.0.0.1:PORT)
//        node bare-device-relay.mjs out DEVICE FRAMES          (prints {"port":N}, plays what arrives)
import dgram from 'node:dgram'
import { createRequire } from 'node:module'

const pa = createRequire(import.meta.url)('naudiodon2')
const [role, name, frames, port] = process.argv.slice(2)
const dev = pa.getDevices().find((d) => d.name === name)
const opts = {
  deviceId: dev.id,
  sampleRate: 48000,
  channelCount: 2,
  sampleFormat: pa.SampleFormat16Bit,
  framesPerBuffer: Number(frames),
  closeOnError: false,
  maxQueue: 4,
}
const s = dgram.createSocket('udp4')
if (role === 'in') {
  const ai = pa.AudioIO({ inOptions: opts })
  ai.on('data', (b) => s.send(b, Number(port), '127.0.0.1'))
  ai.start()
} else {
  const ao = pa.AudioIO({ outOptions: opts })
  s.on('message', (m) => ao.write(m))
  s.bind(0, '127.0.0.1', () => {
    ao.start()
    process.stderr.write(JSON.stringify({ port: s.address().port }) + '\n')
  })
}
