import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function findVersion(): string {
  // Works both from src/ (tsx) and from dist/src/ (built).
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string }
      if (pkg.name === 'synchro' && pkg.version) return pkg.version
    } catch {
      // try the next location
    }
  }
  return '0.0.0'
}

export const VERSION = findVersion()
