import { Text } from 'ink'
import type { ServerMidiStats } from '../../src/session/stats.js'

/** MIDI into the show and out of the server's outputs: totals and current rate. */
export function MidiActivity({ midi, rate }: { midi: ServerMidiStats; rate: { in: number; out: number } }) {
  const active = rate.in > 0 || rate.out > 0
  return (
    <Text wrap="truncate">
      <Text color={active ? 'green' : 'gray'}>{active ? '●' : '○'} MIDI</Text>
      {` in ${midi.messagesIn} (${rate.in.toFixed(0)}/s)  out ${midi.messagesOut} (${rate.out.toFixed(0)}/s)`}
      {midi.released > 0 ? `  released ${midi.released}` : ''}
      {midi.invalidBytes > 0 ? `  invalid bytes ${midi.invalidBytes}` : ''}
    </Text>
  )
}
