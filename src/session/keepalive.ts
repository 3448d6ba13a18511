// Keep-alive in the manner of MQTT: ping every interval, give up after about 1.5
// intervals of silence. Any frame from the peer counts as proof of life.

import { LIMITS } from '../codec/limits.js'

export const DEFAULT_PING_INTERVAL_MS = LIMITS.pingIntervalMs.default

export function peerTimeoutMs(pingIntervalMs: number): number {
  return Math.round(pingIntervalMs * 1.5)
}

/** The runners tick the machines this often, so a timeout is seen within a quarter interval. */
export function tickIntervalMs(pingIntervalMs: number): number {
  return Math.max(50, Math.round(pingIntervalMs / 4))
}
