// Snapcast (Debian's snapserver and snapclient 0.26) as the skew bench's baseline: a
// snapserver with a pipe source, bound to 127.0.0.1 on its own port with HTTP and TCP
// JSON-RPC off, and snapclients on loopback writing what they play to stdout (file player,
// no mixer, so samples pass unchanged). Installed from Debian when missing, as .ci/run
// installs JACK; the test suite never needs it.
import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync, writeSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnProcess, waitText } from './lib.mjs'

const have = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * Whether snapserver and snapclient are on PATH, after installing them with apt-get when
 * they are not (as root). Where the packages start their own system daemons (a machine with
 * systemd), those listen on every address: this bench runs its own, on loopback, beside them.
 */
export function ensureSnapcast() {
  if (have('snapserver') && have('snapclient')) return true
  if (!have('apt-get')) return false
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'snapserver', 'snapclient'], { stdio: 'ignore', env })
  try {
    install()
  } catch {
    try {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore', env })
      install()
    } catch {
      return false
    }
  }
  return have('snapserver') && have('snapclient')
}

/**
 * Starts a snapserver in `dir` (its config, its settings file and the FIFO all live there)
 * streaming the FIFO as 48 kHz stereo s16 PCM (no codec, so nothing but Snapcast's own
 * buffering sits in the path) on 127.0.0.1:port. Resolves once it accepts clients.
 */
export async function startSnapserver(dir, port) {
  const fifo = join(dir, 'snapfifo')
  const config = join(dir, 'snapserver.conf')
  writeFileSync(
    config,
    [
      '[server]',
      `datadir = ${dir}`,
      '[http]',
      'enabled = false',
      '[tcp]',
      'enabled = false',
      '[stream]',
      'bind_to_address = 127.0.0.1',
      `port = ${port}`,
      `source = pipe://${fifo}?name=bench&sampleformat=48000:16:2&codec=pcm`,
      '[logging]',
      'sink = stderr',
      'filter = *:info',
      '',
    ].join('\n'),
  )
  const server = spawnProcess('snapserver', ['-c', config], { cwd: dir })
  await waitText(server.errText, /Creating stream acceptor/, { what: 'snapserver to listen' })
  return { server, fifo }
}

/** A snapclient on 127.0.0.1:port playing to stdout; `cpu` pins it with taskset. */
/** opts: spawn options (its stdio, e.g. stdout to a tap's FIFO). */
export function startSnapclient(port, id, cpu, opts = {}) {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '--hostID',
    `synchro-bench-${id}`,
    '-i',
    String(id),
    '--player',
    'file:filename=stdout',
    '--mixer',
    'none',
    '--logsink',
    'stderr',
    '--logfilter',
    '*:warning',
  ]
  return cpu === undefined
    ? spawnProcess('snapclient', args, opts)
    : spawnProcess('taskset', ['-c', String(cpu), 'snapclient', ...args], opts)
}

/**
 * Opens the FIFO for writing and returns a writer for paceWrites. O_RDWR, because
 * snapserver keeps its read end open only while there is a writer (it reopens after an end
 * of file): on Linux a FIFO opened read-write opens at once, and holds the pipe open for
 * snapserver's next open. Non-blocking: a full pipe drops the packet and counts it rather
 * than stalling the pacer; a packet (512 bytes) is under PIPE_BUF, so it is written whole
 * or not at all.
 */
export function openFifoWriter(fifo) {
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK)
  const writer = {
    dropped: 0,
    write(bytes) {
      try {
        writeSync(fd, bytes)
      } catch (err) {
        if (err.code !== 'EAGAIN') throw err
        writer.dropped++
      }
    },
    close: () => closeSync(fd),
    /** The descriptor, for a thread that writes it itself (bench/precise-pacer.mjs). */
    fd,
  }
  return writer
}
