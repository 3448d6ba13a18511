// The impairment relay (test/helpers/impairment-relay.ts) in a process of its own, so its
// delay timers run outside the harness that timestamps the rigs' output.
// usage: node --import tsx impaired-relay.mjs SERVER_PORT DELAY_MS JITTER_MS   (prints {"port":N} on stderr)
import { ImpairmentRelay } from '../test/helpers/impairment-relay.ts'

const [serverPort, delayMs, jitterMs] = process.argv.slice(2).map(Number)
const relay = await ImpairmentRelay.start({ host: '127.0.0.1', port: serverPort }, { seed: 12, delayMs, jitterMs })
process.stderr.write(JSON.stringify({ event: 'listening', port: relay.port }) + '\n')
process.on('SIGTERM', () => relay.close().then(() => process.exit(0)))
