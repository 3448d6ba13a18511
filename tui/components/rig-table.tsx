import { Box, Text } from 'ink'
import type { RigReport, RigSyncView } from '../../src/session/stats.js'
import { signedMsText } from '../../src/session/sync-view.js'

type CellColor = 'green' | 'yellow' | 'red'

interface Column {
  title: string
  width: number
  /** Narrow terminals drop the least needed columns first (lower = dropped sooner). */
  keep: number
  cell: (r: RigReport) => string
  align?: 'right'
  /** A colour of the cell's own, over the row's. */
  color?: (r: RigReport) => CellColor | undefined
}

const dash = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '-' : v.toFixed(digits))

export function lossPct(r: RigReport): number | null {
  if (!r.heard) return null
  const total = r.heard.packetsReceived + r.heard.packetsLost
  return total > 0 ? (100 * r.heard.packetsLost) / total : 0
}

/**
 * The sync column: 'in time', 'late 3.2ms', 'no clock', '+5ms' (out of step on purpose:
 * its own latency or offset), '-' before the rig reports. Late wins over out of step: it
 * is the one the audience hears.
 */
export function syncCell(v: RigSyncView | null): string {
  if (v === null) return '-'
  if (v.state === 'no-clock') return 'no clock'
  if (v.state === 'late') return `late ${lateText(v.lateMs)}ms`
  return v.outOfStepMs === 0 ? 'in time' : `${signedMsText(v.outOfStepMs)}ms`
}

/** At most 3 digits, so 'late 123ms' fits the column: 0.1 ms steps under 10 ms (never "late 0.0"), whole ms above. */
function lateText(ms: number): string {
  return ms >= 10 ? String(Math.round(ms)) : Math.max(0.1, Math.round(ms * 10) / 10).toFixed(1)
}

/** Green in time, yellow out of step or without a clock yet, red late. */
export function syncColor(v: RigSyncView | null): CellColor | undefined {
  if (v === null) return undefined
  if (v.state === 'late') return 'red'
  return v.state === 'in-time' && v.outOfStepMs === 0 ? 'green' : 'yellow'
}

const COLUMNS: Column[] = [
  { title: 'RIG', width: 14, keep: 9, cell: (r) => r.name },
  { title: 'ADDRESS', width: 21, keep: 1, cell: (r) => r.remote },
  { title: 'NET', width: 4, keep: 8, cell: (r) => (r.switchingTo ? `>${r.switchingTo}` : r.transport) },
  { title: 'STATE', width: 9, keep: 7, cell: (r) => (r.muted ? 'muted' : r.phase) },
  // 'late 123ms' is the widest cell up to a second late; 10 wide, it fits beside UND/CONC at 80 columns.
  { title: 'SYNC', width: 10, keep: 7, cell: (r) => syncCell(r.sync), color: (r) => syncColor(r.sync) },
  { title: 'RTT', width: 6, keep: 5, align: 'right', cell: (r) => dash(r.rttMs) },
  { title: 'JIT', width: 5, keep: 4, align: 'right', cell: (r) => dash(r.heard?.jitterMs) },
  { title: 'LOSS%', width: 6, keep: 6, align: 'right', cell: (r) => dash(lossPct(r)) },
  { title: 'BUF', width: 5, keep: 6, align: 'right', cell: (r) => dash(r.heard?.bufferMs, 0) },
  {
    title: 'UND/CONC',
    width: 10,
    keep: 3,
    align: 'right',
    cell: (r) => (r.heard ? `${r.heard.underruns}/${r.heard.framesConcealed}` : '-'),
  },
  { title: 'MIDI i/o', width: 10, keep: 2, align: 'right', cell: (r) => `${r.midiIn}/${r.heard?.midiReceived ?? 0}` },
  { title: 'HEARD', width: 6, keep: 1, align: 'right', cell: (r) => `${(r.silentMs / 1000).toFixed(1)}s` },
]

/** The columns that fit `width`, most needed first, in their usual order. */
export function columnsFor(width: number): Column[] {
  const byNeed = [...COLUMNS].sort((a, b) => b.keep - a.keep)
  const chosen = new Set<Column>()
  let used = 0
  for (const c of byNeed) {
    if (used + c.width + 1 > width) continue
    chosen.add(c)
    used += c.width + 1
  }
  return COLUMNS.filter((c) => chosen.has(c))
}

function fit(text: string, c: Column): string {
  const t = text.length > c.width ? text.slice(0, c.width - 1) + '~' : text
  return c.align === 'right' ? t.padStart(c.width) : t.padEnd(c.width)
}

/** One row per rig: name, address, transport, state, sync, RTT, jitter, loss, buffer, underruns/concealed, MIDI, last heard. */
export function RigTable({
  rigs,
  selected,
  width,
  maxRows,
}: {
  rigs: readonly RigReport[]
  selected: number
  width: number
  maxRows: number
}) {
  const cols = columnsFor(width - 2)
  // Keep the selected rig in view when there are more rigs than rows.
  const start = Math.max(0, Math.min(selected - maxRows + 1, rigs.length - maxRows))
  const shown = rigs.slice(Math.max(0, start), Math.max(0, start) + Math.max(1, maxRows))
  return (
    <Box flexDirection="column">
      <Text bold>{'  ' + cols.map((c) => fit(c.title, c)).join(' ')}</Text>
      {rigs.length === 0 ? <Text dimColor> no rigs yet: synchro join HOST:PORT on each rig</Text> : null}
      {shown.map((r) => {
        const i = rigs.indexOf(r)
        const lost = (lossPct(r) ?? 0) > 1 || (r.heard?.underruns ?? 0) > 0
        return (
          <Text key={r.name} inverse={i === selected} {...(r.muted ? { color: 'gray' } : lost ? { color: 'yellow' } : {})}>
            {i === selected ? '> ' : '  '}
            {cols.map((c, k) => {
              const text = (k > 0 ? ' ' : '') + fit(c.cell(r), c)
              const color = c.color?.(r)
              return color ? (
                <Text key={c.title} color={color}>
                  {text}
                </Text>
              ) : (
                text
              )
            })}
          </Text>
        )
      })}
      {rigs.length > shown.length ? <Text dimColor> ... {rigs.length} rigs (arrows scroll)</Text> : null}
    </Box>
  )
}
