import { Box, Text } from 'ink'
import type { ConsoleSnapshot } from '../model.js'
import { describeFormat } from '../../src/codec/format.js'

const PHASE_COLOR: Record<string, string> = {
  listening: 'yellow',
  waiting: 'yellow',
  streaming: 'green',
  terminating: 'red',
  closed: 'red',
}

export function uptime(ms: number): string {
  const s = Math.floor(ms / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(h > 0 ? 2 : 1, '0')}:${String(s % 60).padStart(2, '0')}`
}

/** The show: name, state, transport, port, format, uptime. */
export function ShowHeader({ snap }: { snap: ConsoleSnapshot }) {
  const { info, stats, mode } = snap
  return (
    <Box flexDirection="column">
      <Box justifyContent="space-between">
        <Text bold>{info.name}</Text>
        <Text>
          <Text color={PHASE_COLOR[stats.phase] ?? 'white'} bold>
            {stats.phase.toUpperCase()}
          </Text>
          {'  '}
          {mode.toUpperCase()} :{info.port}
          {'  up '}
          {uptime(stats.uptimeMs)}
        </Text>
      </Box>
      <Text dimColor wrap="truncate">
        {info.source}; {describeFormat(info.format)}; {stats.packetsBroadcast} packets sent
      </Text>
    </Box>
  )
}
