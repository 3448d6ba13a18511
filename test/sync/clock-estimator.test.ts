// The clock estimator against simulated paths on a manual clock: the rig's clock is the
// manual one, the server's runs at an offset (and a drift, and perhaps a step) from it, and
// each exchange's two legs take what the path says. The exchanges follow the real schedule
// (time-exchange.ts: the burst, then one a second).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { ClockEstimator, STEP_MS } from '../../src/sync/clock-estimator.js'
import { nextExchangeInMs } from '../../src/sync/time-exchange.js'
import { ManualClock } from '../helpers/manual-clock.js'
// Seeded, so a failing path can be run again.
import { seededRandom as random } from '../helpers/impairment-relay.js'

interface Path {
  /** Server minus rig at rig time 0, ms. */
  offsetMs: number
  driftPpm?: number
  /** Rig → server and server → rig, ms, per exchange. */
  forwardMs: () => number
  backMs: () => number
}

/** The server's true clock at rig time t, with `stepMs` added from `stepAtMs` on. */
class Sim {
  readonly clock = new ManualClock()
  readonly est = new ClockEstimator()
  sent = 0
  stepMs = 0
  stepAtMs = Number.POSITIVE_INFINITY
  constructor(readonly path: Path) {}

  serverAt(localMs: number): number {
    const step = localMs >= this.stepAtMs ? this.stepMs : 0
    return this.path.offsetMs + localMs * (1 + (this.path.driftPpm ?? 0) * 1e-6) + step
  }

  /** The published mapping's distance from the server's true clock now, ms. */
  errorNow(): number {
    const now = this.clock.now()
    return Math.abs(this.est.toServer(now) - this.serverAt(now))
  }

  /** One exchange, then the wait the schedule sets before the next; `each` runs after every exchange. */
  async run(exchanges: number, each?: () => void): Promise<void> {
    for (let i = 0; i < exchanges; i++) {
      const t1 = this.clock.now()
      const d1 = this.path.forwardMs()
      const d2 = this.path.backMs()
      const t2 = this.serverAt(t1 + d1)
      await this.clock.advance(d1 + d2)
      this.est.add({ t1, t2, t3: t2, t4: this.clock.now() })
      this.sent++
      each?.()
      await this.clock.advance(Math.max(0, nextExchangeInMs(this.sent) - d1 - d2))
    }
  }

  get stats() {
    return this.est.estimate(this.clock.now())!
  }
}

/** The true offset lies within errorMs at every exchange and between them. */
function honest(sim: Sim, where: string): void {
  const e = sim.stats
  assert.ok(sim.errorNow() <= e.errorMs, `${where}: off by ${sim.errorNow()} ms, errorMs says ${e.errorMs}`)
}

test('nothing is estimated before the first exchange', () => {
  const est = new ClockEstimator()
  assert.is(est.estimate(0), null)
  assert.ok(Number.isNaN(est.toServer(0)))
  assert.ok(Number.isNaN(est.toLocal(0)))
})

test('symmetric path: the offset to within a microsecond after the burst, rttMs the round trip, errorMs about half of it', async () => {
  const sim = new Sim({ offsetMs: 12_345.678, forwardMs: () => 0.1, backMs: () => 0.1 })
  let e = sim.stats
  await sim.run(8, () => {
    honest(sim, 'burst')
    e = sim.stats
  })
  assert.ok(sim.errorNow() < 0.001, `off by ${sim.errorNow()}`)
  assert.ok(Math.abs(e.offsetMs - 12_345.678) < 0.001)
  assert.ok(Math.abs(e.rttMs - 0.2) < 1e-9)
  assert.equal([e.samples, e.steps], [8, 0])
  // Half the round trip, plus what a drift of up to 500 ppm could do while no rate is fitted yet (0.35 s of burst).
  assert.ok(e.errorMs >= 0.1 && e.errorMs < 0.25, `errorMs ${e.errorMs}`)
  // Back and forth: local -> server -> local is the identity.
  const now = sim.clock.now()
  assert.ok(Math.abs(sim.est.toLocal(sim.est.toServer(now + 500)) - (now + 500)) < 1e-6)
})

test('asymmetric path (1 ms out, 5 ms back): the estimate is off by the unavoidable 2 ms, and errorMs covers it', async () => {
  const sim = new Sim({ offsetMs: -700, forwardMs: () => 1, backMs: () => 5 })
  await sim.run(40, () => honest(sim, 'asymmetric'))
  const e = sim.stats
  assert.ok(Math.abs(sim.errorNow() - 2) < 0.01, `off by ${sim.errorNow()}: half the asymmetry`)
  // A worst-case bound: half the round trip (3 ms) times the fit's weights when extrapolated to now (at most ~1.8).
  assert.ok(e.errorMs >= 2 && e.errorMs <= 6, `errorMs ${e.errorMs}`)
  assert.ok(Math.abs(e.rttMs - 6) < 1e-9)
})

test('jitter with occasional 20-50 ms stalls one way: the stalls are rejected, the offset stays within the jitter', async () => {
  const r = random(7)
  let stalls = 0
  const leg = () => {
    const stall = r() < 0.12
    if (stall) stalls++
    return 0.15 + r() * 0.3 + (stall ? 20 + r() * 30 : 0)
  }
  const sim = new Sim({ offsetMs: 5_000.25, forwardMs: leg, backMs: () => 0.15 + r() * 0.3 })
  let worst = 0
  await sim.run(180, () => {
    honest(sim, 'jitter')
    if (sim.sent > 8) worst = Math.max(worst, sim.errorNow())
  })
  assert.ok(stalls > 15, `${stalls} stalls`)
  // A stall taken in would put it 10-25 ms off; the legs' own jitter (0-0.3 ms) is what remains.
  assert.ok(worst < 0.25, `worst error ${worst} ms after the burst`)
  assert.ok(sim.errorNow() < 0.05, `off by ${sim.errorNow()} ms after 3 minutes`)
  const e = sim.stats
  assert.ok(e.rttMs < 0.5, `rttMs ${e.rttMs}`)
  // A worst-case bound, under one round trip of this path (0.3-0.9 ms without stalls).
  assert.ok(e.errorMs < 0.9, `errorMs ${e.errorMs}`)
  assert.is(e.steps, 0)
})

for (const ppm of [200, -200]) {
  test(`a ${ppm} ppm drift is followed: the rate within a few ppm after a minute, the offset bounded, no steps`, async () => {
    const r = random(11)
    const leg = () => 0.1 + r() * 0.2
    const sim = new Sim({ offsetMs: 42, driftPpm: ppm, forwardMs: leg, backMs: leg })
    let worst = 0
    let last = Number.NEGATIVE_INFINITY
    await sim.run(8 + 60, () => {
      honest(sim, `${ppm} ppm`)
      worst = Math.max(worst, sim.errorNow())
      const s = sim.est.toServer(sim.clock.now())
      assert.ok(s >= last)
      last = s
    })
    const e = sim.stats
    assert.ok(Math.abs(e.driftPpm - ppm) < 3, `driftPpm ${e.driftPpm}`)
    assert.ok(worst < 0.5, `worst error ${worst} ms over the minute`)
    assert.ok(sim.errorNow() < 0.05, `off by ${sim.errorNow()} ms after the minute`)
    assert.is(e.steps, 0, 'followed by rate and slew, never a step')
    // Between exchanges the mapping runs at the server's rate: 10 s on, still within errorMs.
    await sim.clock.advance(10_000)
    honest(sim, '10 s without an exchange')
    assert.ok(sim.errorNow() < 0.1, `off by ${sim.errorNow()} ms after 10 s on the fitted rate alone`)
  })
}

for (const stepMs of [50, -50]) {
  test(`the server's clock steps ${stepMs} ms: counted once, never backwards, converged`, async () => {
    const r = random(3)
    const leg = () => 0.1 + r() * 0.1
    const sim = new Sim({ offsetMs: 1000, forwardMs: leg, backMs: leg })
    await sim.run(30)
    sim.stepMs = stepMs
    sim.stepAtMs = sim.clock.now()
    let last = sim.est.toServer(sim.clock.now())
    await sim.run(20, () => {
      const s = sim.est.toServer(sim.clock.now())
      assert.ok(s >= last, 'server time went backwards')
      last = s
    })
    await sim.clock.advance(Math.abs(stepMs))
    const e = sim.stats
    assert.is(e.steps, 1)
    assert.ok(sim.errorNow() < 0.1, `off by ${sim.errorNow()} ms after the step`)
    honest(sim, 'after the step')
  })
}

test('a small step of the server clock (2 ms) is slewed at 500 ppm, not stepped', async () => {
  const sim = new Sim({ offsetMs: 0, forwardMs: () => 0.1, backMs: () => 0.1 })
  await sim.run(20)
  sim.stepMs = 2
  sim.stepAtMs = sim.clock.now()
  const before = sim.est.toServer(sim.clock.now())
  await sim.run(3)
  const elapsed = 3000
  // Confirmed on the third exchange; from there it may move at most 1.0005x the local clock.
  assert.ok(sim.est.toServer(sim.clock.now()) - before <= elapsed * 1.0005 + 0.2)
  await sim.run(6)
  const e = sim.stats
  assert.is(e.steps, 0)
  assert.ok(STEP_MS > 2)
  assert.ok(sim.errorNow() < 0.01, `off by ${sim.errorNow()} ms`)
})

test('property: over random paths the mapped server time never goes backwards, and without steps errorMs holds', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        seed: fc.integer(),
        offsetMs: fc.double({ min: -1e7, max: 1e7, noNaN: true }),
        driftPpm: fc.double({ min: -300, max: 300, noNaN: true }),
        baseMs: fc.tuple(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true })),
        jitterMs: fc.double({ min: 0, max: 10, noNaN: true }),
        stallChance: fc.double({ min: 0, max: 0.5, noNaN: true }),
        stepMs: fc.oneof(fc.constant(0), fc.double({ min: -200, max: 200, noNaN: true })),
        stepAt: fc.integer({ min: 0, max: 40 }),
        exchanges: fc.integer({ min: 1, max: 60 }),
      }),
      async (p) => {
        const r = random(p.seed)
        const leg = (base: number) => () => base + r() * p.jitterMs + (r() < p.stallChance ? 20 + r() * 30 : 0)
        const sim = new Sim({ offsetMs: p.offsetMs, driftPpm: p.driftPpm, forwardMs: leg(p.baseMs[0]), backMs: leg(p.baseMs[1]) })
        let last = Number.NEGATIVE_INFINITY
        const check = () => {
          const now = sim.clock.now()
          const s = sim.est.toServer(now)
          assert.ok(s >= last, `server time went back by ${last - s} ms at ${now}`)
          last = s
          if (p.stepMs === 0) honest(sim, 'random path')
        }
        await sim.run(p.stepAt, check)
        sim.stepMs = p.stepMs
        sim.stepAtMs = sim.clock.now()
        await sim.run(p.exchanges, check)
        // And between exchanges, at random later times.
        for (let i = 0; i < 5; i++) {
          await sim.clock.advance(r() * 3000)
          check()
        }
      },
    ),
    { numRuns: 1000 },
  )
})

test.run()
