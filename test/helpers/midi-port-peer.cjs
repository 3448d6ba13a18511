// Another program on the same MIDI system: plays into the port whose name contains
// argv[2] and prints, as JSON lines, what arrives on the port whose name contains argv[3].
// Uses easymidi (the same library Synchro uses) from the project's node_modules.
const easymidi = require('easymidi')
const [toName, fromName, count] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 10)]
const find = (names, part) => names.find((n) => n.includes(part))
const outName = find(easymidi.getOutputs(), toName)
const inName = find(easymidi.getInputs(), fromName)
if (!outName || !inName) {
  console.log(JSON.stringify({ error: `ports not found: outputs ${easymidi.getOutputs()}, inputs ${easymidi.getInputs()}` }))
  process.exit(1)
}
const input = new easymidi.Input(inName)
const output = new easymidi.Output(outName)
const done = () => {
  input.close()
  output.close()
  process.exit(0)
}
// Everything sent has come back (count note-ons, the sysex, the note-off): done. If some never
// does, the peer stops after 10 s all the same and the test says what was missing.
const back = { noteon: 0, sysex: 0, noteoff: 0 }
input.on('message', (m) => {
  console.log(JSON.stringify({ got: m }))
  if (m._type in back) back[m._type]++
  if (back.noteon >= count && back.sysex > 0 && back.noteoff > 0) done()
})
setTimeout(done, 10_000)
let i = 0
// One message every 20 ms, as a player's hands would send them.
const timer = setInterval(() => {
  if (i < count) output.send('noteon', { note: 60 + i, velocity: 100, channel: i % 16 })
  else if (i === count) output.send('sysex', [0xf0, 0x7d, 1, 2, 3, 0xf7])
  else if (i === count + 1) output.send('noteoff', { note: 60, velocity: 0, channel: 0 })
  else clearInterval(timer)
  i++
}, 20)
