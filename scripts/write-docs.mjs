// Writes the documents generated from the code: docs/EVENTS.md and docs/events.schema.json
// (the --json events) from the built tree. Run by `npm run docs`; the tests fail when the
// committed copies differ from what this writes.

import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { eventsJsonSchema, eventsMarkdown } from '../dist/src/session/events-doc.js'

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs')
writeFileSync(join(docs, 'EVENTS.md'), eventsMarkdown())
writeFileSync(join(docs, 'events.schema.json'), JSON.stringify(eventsJsonSchema(), null, 2) + '\n')
console.log('wrote docs/EVENTS.md and docs/events.schema.json')
