import { SYNCHRO_CASES, synchroSkew } from '/work/main/bench/skew.mjs'
const names = process.argv.slice(2)
for (const c of SYNCHRO_CASES.filter((c) => names.includes(c.name))) {
  const r = await synchroSkew(c, { impulses: 60, settleMs: 3000 })
  console.log(JSON.stringify(r).slice(0, 600))
}
