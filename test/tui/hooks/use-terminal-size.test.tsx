// useTerminalSize: the terminal's columns and rows, 80x24 when it does not say, and new
// ones when it is resized (an operator dragging a window, an ssh client).
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

test("the terminal's size, rows 24 when it does not say; a resize redraws with the new size", async () => {
  const { lastFrame, stdout } = render(<Probe />)
  assert.is(lastFrame(), '100x24', "ink-testing-library's terminal is 100 columns and has no rows")
  // The hook subscribes in an effect: resize once it listens.
  await until(() => stdout.listenerCount('resize') > 1, 5000, 'the hook listening') // Ink's own listener and the hook's
  Object.defineProperties(stdout, { columns: { value: 132, configurable: true }, rows: { value: 40, configurable: true } })
  stdout.emit('resize')
  await until(() => lastFrame() === '132x40', 5000, 'the new size drawn')
  assert.is(lastFrame(), '132x40')
})

test('it stops listening when unmounted', async () => {
  const { stdout, unmount } = render(<Probe />)
  await until(() => stdout.listenerCount('resize') > 1, 5000, 'the hook listening')
  const before = stdout.listenerCount('resize')
  unmount()
  assert.ok(stdout.listenerCount('resize') < before, 'its resize listener removed')
})

test.run()
