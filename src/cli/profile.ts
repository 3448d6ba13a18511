// `synchro profile schema` prints the JSON Schema of a show profile (for editors);
// `synchro profile check PATH` validates one: every problem on its own line, exit 2.

import { UsageError } from '../errors.js'
import { loadProfile } from '../profile/load.js'
import { profileJsonSchema } from '../profile/schema.js'
import { parseCommand } from './args.js'

export const PROFILE_HELP = `usage: synchro profile schema        print the JSON Schema of a show profile
       synchro profile check PATH    validate a profile (JSON or YAML)

  --json                check: the summary as one JSON object
`

const OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

export async function profile(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseCommand('profile', argv, OPTIONS, true)
  const [action, path, extra] = positionals
  if (v.help || action === undefined) {
    process.stdout.write(PROFILE_HELP)
    return action === undefined && !v.help ? 2 : 0
  }
  if (extra !== undefined) throw new UsageError('BAD_FLAG', `unexpected argument '${extra}' (see synchro profile --help)`)
  switch (action) {
    case 'schema':
      process.stdout.write(JSON.stringify(profileJsonSchema(), null, 2) + '\n')
      return 0
    case 'check': {
      if (!path) throw new UsageError('BAD_FLAG', 'profile check needs a PATH')
      const p = loadProfile(path)
      const summary = {
        event: 'profile',
        ok: true,
        name: p.name,
        transport: p.transport,
        port: p.port,
        source: p.source,
        rigs: p.rigs.map((r) => r.name),
        midiInputs: p.midi.inputs.length,
      }
      process.stdout.write(
        v.json
          ? JSON.stringify(summary) + '\n'
          : `${path}: ok: '${p.name}', ${p.transport} port ${p.port}, source ${p.source}, ${p.rigs.length} rig(s)${p.rigs.length ? ` (${p.rigs.map((r) => r.name).join(', ')})` : ''}\n`,
      )
      return 0
    }
    default:
      throw new UsageError('BAD_COMMAND', `unknown profile action '${action}': use schema or check PATH`)
  }
}
