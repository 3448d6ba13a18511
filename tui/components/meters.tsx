import { Box, Text } from 'ink'
import { FLOOR_DB, type Levels } from '../../src/audio/levels.js'

const RANGE_DB = 60 // the bar spans -60..0 dBFS

/** A bar for one channel: RMS filled, peak marked, in dBFS. */
export function meterBar(rmsDb: number, peakDb: number, width: number): string {
  const pos = (db: number) => Math.round(Math.max(0, Math.min(1, (db + RANGE_DB) / RANGE_DB)) * width)
  const rms = pos(rmsDb)
  const peak = Math.min(width - 1, pos(peakDb))
  let bar = ''
  for (let i = 0; i < width; i++) bar += i < rms ? '=' : i === peak && peakDb > FLOOR_DB ? '|' : ' '
  return bar
}

const db = (v: number) => (v <= FLOOR_DB ? '  -inf' : v.toFixed(1).padStart(6))

/** The source's level per channel: peak and RMS in dBFS. */
export function Meters({ levels, width, maxChannels }: { levels: Levels; width: number; maxChannels: number }) {
  const n = levels.peakDb.length
  const shown = Math.min(n, Math.max(1, maxChannels))
  const barWidth = Math.max(10, width - 32)
  return (
    <Box flexDirection="column">
      {levels.peakDb.slice(0, shown).map((peak, c) => {
        const rms = levels.rmsDb[c]!
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: one meter per channel, in channel order, for the whole show
          <Text key={c} wrap="truncate">
            {`ch${String(c + 1).padEnd(2)} [`}
            <Text color={peak > -1 ? 'red' : peak > -9 ? 'yellow' : 'green'}>{meterBar(rms, peak, barWidth)}</Text>
            {`] pk ${db(peak)} rms ${db(rms)}`}
          </Text>
        )
      })}
      {n > shown ? <Text dimColor>{`  +${n - shown} more channels`}</Text> : null}
    </Box>
  )
}
