// The skew bench's one clock: CLOCK_MONOTONIC in ms, the same on every thread and process of
// the machine (performance.now() counts from each thread's own origin, so a tap thread's
// times and the writer's would not compare).
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6
