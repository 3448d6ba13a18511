// `--source none`: a show with no audio (MIDI only). It sends no packets and never ends by
// itself; the show's clock still runs from INIT, so MIDI is stamped as in any other show.

import type { AudioSource, SourceFormat } from './source.js'

export class NoneSource implements AudioSource {
  readonly needsPacing = false
  readonly description = 'no audio (MIDI only)'

  constructor(readonly format: SourceFormat) {}

  start(): void {}

  stop(): void {}
}
