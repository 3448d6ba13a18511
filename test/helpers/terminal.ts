// What a terminal shows of an Ink frame: colours stripped (uvu forces colour on), and with
// changing digits masked for frames whose figures move.

/** ESC [ … m: the SGR (colour) sequences Ink writes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what starts the colour codes stripped here
const SGR = /\x1b\[[0-9;]*m/g

export const plain = (s: string | undefined): string => (s ?? '').replace(SGR, '')

export const mask = (s: string | undefined): string => plain(s).replace(/\d/g, '#')

/** The SGR sequence that sets colour code n (32 green, 33 yellow, 31 red, …), for asserting a colour. */
export const sgr = (n: number): string => `\x1b[${n}m`
