// File-system errors in a stage tech's words: each errno Synchro meets, and anything else as
// its own message.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { describeFsError } from '../src/fs-errors.js'
import { thrown } from './helpers/thrown.js'

const errno = (code: string) => Object.assign(new Error(`${code}: raw text`), { code })

test('each errno as words', () => {
  assert.is(describeFsError(errno('ENOENT')), 'no such file or directory')
  assert.is(describeFsError(errno('EACCES')), 'permission denied')
  assert.is(describeFsError(errno('EPERM')), 'permission denied')
  assert.is(describeFsError(errno('EISDIR')), 'is a directory')
  assert.is(describeFsError(errno('ENOSPC')), 'disk full')
  assert.is(describeFsError(errno('EROFS')), 'read-only file system')
})

test('real errors from node:fs', () => {
  assert.is(describeFsError(thrown(() => readFileSync('/no/such/synchro/file'))), 'no such file or directory')
  assert.is(describeFsError(thrown(() => readFileSync(tmpdir()))), 'is a directory')
})

test('anything else: its own message, or the value as text', () => {
  assert.is(describeFsError(errno('EMFILE')), 'EMFILE: raw text')
  assert.is(describeFsError(new Error('plain')), 'plain')
  assert.is(describeFsError('a string'), 'a string')
  assert.is(describeFsError(undefined), 'undefined')
})

test.run()
