// useTerminalSize: the terminal's columns and rows, 80x24 when it does not say, and new
// ones when it is resized (an operator dragging a window, an ssh client).
//
// Ink adds its own 'resize' listener only outside CI (ink/build/ink.js checks is-in-ci), so
// these tests never count on how many listeners Ink keeps: they wait for the redraw itself.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { render } from 'ink-testing-library'
import { Text } from 'ink'
import { useTerminalSize } from '../../../tui/hooks/use-terminal-size.js'
import { until } from '../../helpers/wait.js'

function Probe() {
  const { columns, rows } = useTerminalSize()
  return <Text>{`${columns}x${rows}`}</Text>
}

type Stdout = ReturnType<typeof render>['stdout']

/** Resize the fake terminal and emit 'resize' until the hook (which subscribes in an effect) has redrawn. */
async function resizeTo(stdout: Stdout, lastFrame: () => string | undefined, columns: number, rows: number) {
  Object.defineProperties(stdout, { columns: { value: columns, configurable: true }, rows: { value: rows, configurable: true } })
  await until(
    () => {
      stdout.emit('resize')
      return lastFrame() === `${columns}x${rows}`
    },
    5000,
    `the new size ${columns}x${rows} drawn`,
  )
}

test("the terminal's size, rows 24 when it does not say; a resize redraws with the new size", async () => {
  const { lastFrame, stdout } = render(<Probe />)
  assert.is(lastFrame(), '100x24', "ink-testing-library's terminal is 100 columns and has no rows")
  await resizeTo(stdout, lastFrame, 132, 40)
  assert.is(lastFrame(), '132x40')
})

test('it stops listening when unmounted', async () => {
  const { stdout, lastFrame, unmount } = render(<Probe />)
  await resizeTo(stdout, lastFrame, 90, 30)
  assert.ok(stdout.listenerCount('resize') >= 1, 'the hook listens while mounted')
  unmount()
  // Ink removes its own listener on unmount too, so every listener left would be the hook's.
  assert.is(stdout.listenerCount('resize'), 0, 'no resize listener left')
})

test.run()
