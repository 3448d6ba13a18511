// The skew bench's floor: one plain Node process copies each chunk of stdin to two pipes
// (stdout and fd 3) with back-to-back synchronous writes. Both copies leave at the same
// instant, so the skew the harness measures between them is its own timing error (which
// pipe's read it runs first, event-loop delays), and the latency is pipe in -> pipe out.
// usage: node bare-tee.mjs   (spawned with stdio ['pipe', 'pipe', 'pipe', 'pipe'])
import { writeSync } from 'node:fs'

process.stdin.on('data', (chunk) => {
  writeSync(1, chunk)
  writeSync(3, chunk)
})
