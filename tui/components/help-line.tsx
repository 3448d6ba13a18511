import { Text } from 'ink'

export const KEYS: ReadonlyArray<[key: string, what: string]> = [
  ['s', 'start'],
  ['t', 'stop'],
  ['x', 'tcp/udp'],
  ['↑↓', 'rig'],
  ['k', 'kick'],
  ['m', 'mute'],
  ['p', 'panic'],
  ['q', 'quit'],
]

/** The keys, always on screen. */
export function HelpLine({ prompt }: { prompt?: string | undefined }) {
  if (prompt)
    return (
      <Text color="yellow" bold wrap="truncate">
        {prompt}
      </Text>
    )
  return (
    <Text wrap="truncate">
      {KEYS.map(([k, what], i) => (
        <Text key={k}>
          {i > 0 ? '  ' : ''}
          <Text bold color="cyan">
            {k}
          </Text>{' '}
          {what}
        </Text>
      ))}
    </Text>
  )
}
