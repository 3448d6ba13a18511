// What opening a sound card takes, for a source (capture) and a sink (playback) alike.

import type { Clock } from '../../clock.js'
import type { DeviceBuffer } from './buffer-size.js'
import type { AudioDevices } from './portaudio.js'

/** What a card reports mid-show. */
export interface CardEvents {
  onFault?: (reason: string) => void
  onRestored?: (description: string) => void
}

export interface CardOptions extends CardEvents {
  /** Device name or unique prefix; undefined: the system default. */
  name: string | undefined
  buffer: DeviceBuffer
  /** Refuse resampling and rounding (--bit-exact). */
  bitExact?: boolean
  /** The device layer (device hosts unless a test gives its own). */
  devices?: AudioDevices
  /** What the card's watchdog, reopening and timing run on (systemClock, given by the CLI). */
  clock: Clock
}
