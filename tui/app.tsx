// The operator console: the show at a glance and a key for every action. It renders the
// model's snapshot and sends commands through the same layer as `serve --control -`.

import { useState } from 'react'
import { Box, useInput } from 'ink'
import type { Command, CommandResult } from '../src/control/commands.js'
import type { ConsoleModel } from './model.js'
import { useSnapshot } from './hooks/use-snapshot.js'
import { useTerminalSize } from './hooks/use-terminal-size.js'
import { ShowHeader } from './components/show-header.js'
import { RigTable } from './components/rig-table.js'
import { Meters } from './components/meters.js'
import { MidiActivity } from './components/midi-activity.js'
import { EventLog } from './components/event-log.js'
import { HelpLine } from './components/help-line.js'

export interface ConsoleProps {
  model: ConsoleModel
  run: (command: Command) => CommandResult
  /** The operator quits: end the show gracefully (TERMINATE every rig), then exit. */
  quit: () => void
}

type Confirm = { what: 'stop' | 'quit' | 'kick'; rig?: string } | null

export function Console({ model, run, quit }: ConsoleProps) {
  const snap = useSnapshot(model)
  const { columns, rows } = useTerminalSize()
  const [selected, setSelected] = useState(0)
  const [confirm, setConfirm] = useState<Confirm>(null)
  const rigs = snap.stats.rigs
  const sel = Math.min(selected, Math.max(0, rigs.length - 1))
  const live = snap.stats.phase !== 'closed'

  const act = (command: Command) => {
    const r = run(command)
    model.note(r.ok ? r.message : `${r.command}: ${r.error}`, r.ok ? 'info' : 'warn')
  }

  useInput((input, key) => {
    if (key.ctrl && input === 'c') return quit()
    if (confirm) {
      if (input === 'y' || input === 'Y') {
        if (confirm.what === 'stop') act({ kind: 'terminate', reason: 'stopped by the operator' })
        if (confirm.what === 'kick' && confirm.rig) act({ kind: 'kick', name: confirm.rig })
        if (confirm.what === 'quit') quit()
      }
      setConfirm(null)
      return
    }
    const rig = rigs[sel]
    if (key.upArrow) return setSelected(Math.max(0, sel - 1))
    if (key.downArrow) return setSelected(Math.min(rigs.length - 1, sel + 1))
    switch (input) {
      case 's':
        return act({ kind: 'init' })
      case 't':
        return setConfirm({ what: 'stop' })
      case 'x':
        return act({ kind: 'switch', to: snap.mode === 'tcp' ? 'udp' : 'tcp' })
      case 'p':
        return act({ kind: 'panic' })
      case 'k':
        return rig ? setConfirm({ what: 'kick', rig: rig.name }) : model.note('no rig to kick', 'warn')
      case 'm':
        return rig ? act({ kind: 'mute', name: rig.name, muted: !rig.muted }) : model.note('no rig to mute', 'warn')
      case 'q':
        return live ? setConfirm({ what: 'quit' }) : quit()
    }
  })

  const prompt =
    confirm === null
      ? undefined
      : confirm.what === 'stop'
        ? 'Stop the show? Every rig gets TERMINATE. y / n'
        : confirm.what === 'kick'
          ? `Kick ${confirm.rig} from the show? y / n`
          : 'The show is live: quit and stop it for every rig? y / n'

  // Rows: header 2, meters, MIDI 1, table header 1 + rigs, log, help 1, borders/gaps 3.
  const channels = snap.info.format.channels
  const meterRows = Math.min(channels, rows >= 30 ? 8 : 2) + (channels > (rows >= 30 ? 8 : 2) ? 1 : 0)
  const fixed = 2 + meterRows + 1 + 1 + 1 + 3
  const rigRows = Math.max(1, Math.min(rigs.length || 1, Math.floor((rows - fixed) * 0.6)))
  const logRows = Math.max(0, rows - fixed - rigRows - (rigs.length > rigRows ? 1 : 0) - 1)

  return (
    <Box flexDirection="column" width={columns} height={rows - 1}>
      <ShowHeader snap={snap} />
      <Box marginTop={1} flexDirection="column">
        <Meters levels={snap.stats.levels} width={columns} maxChannels={rows >= 30 ? 8 : 2} />
        <MidiActivity midi={snap.stats.midi} rate={snap.midiRate} />
      </Box>
      <Box marginTop={1}>
        <RigTable rigs={rigs} selected={sel} width={columns} maxRows={rigRows} />
      </Box>
      <Box marginTop={1} flexGrow={1} flexDirection="column">
        <EventLog log={snap.log} lines={logRows} />
      </Box>
      <HelpLine prompt={prompt} />
    </Box>
  )
}
