// `synchro --version` and HELLO's version string come from package.json, wherever the code runs from.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { VERSION } from '../../src/cli/version.js'

test("VERSION is package.json's version", () => {
  const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
  assert.is(VERSION, pkg.version)
  assert.match(VERSION, /^\d+\.\d+\.\d+/)
})

test.run()
