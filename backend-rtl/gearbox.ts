/**
 * Timing of llm2hls_gearbox (templates/rtl/llm2hls_gearbox.v), the lane
 * adapter that re-beats rows of `row` elements from `inLanes` to `outLanes`
 * lanes a beat. The module's header states the same formulas; the backend
 * and its estimate use these, the test checks the module against them.
 */

/**
 * Cycles a row takes in steady state when neither side waits: the narrower
 * side's beats, one a cycle (the wider side idles in between).
 */
export function gearboxCyclesPerRow(row: number, inLanes: number, outLanes: number): number {
  return Math.max(Math.ceil(row / inLanes), Math.ceil(row / outLanes));
}

/**
 * Cycles from a row's first input beat to its first output beat, from an
 * empty gearbox with the input at full rate: the input beats that fill the
 * first output beat (1 when the input is at least as wide).
 */
export function gearboxLatency(row: number, inLanes: number, outLanes: number): number {
  return Math.ceil(Math.min(outLanes, row) / inLanes);
}
