import { Box, Text } from 'ink'
import type { LogLine } from '../model.js'

/** The most recent events that fit. */
export function EventLog({ log, lines }: { log: readonly LogLine[]; lines: number }) {
  const shown = lines > 0 ? log.slice(-lines) : []
  return (
    <Box flexDirection="column">
      {shown.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: two lines can share a millisecond; the log only grows at its end
        <Text key={`${l.atMs}-${i}`} {...(l.level === 'warn' ? { color: 'yellow' } : {})} dimColor={l.level === 'info'} wrap="truncate">
          {l.text}
        </Text>
      ))}
    </Box>
  )
}
