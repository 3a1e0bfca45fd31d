/**
 * Planned stream lanes of a kernel task, legalized once for both renderers
 * (issue #8, "One design, two renderers"): the RTL modules (backend-rtl/kernels.ts)
 * and the HLS C++ kernels (their stream beats, backend-hls/emit.ts) take the same numbers;
 *   - linear: kpar lanes in, par lanes out; embedding: token ids one a beat
 *   - elementwise kernels (gate, swiglu, add of two streams, norm, embedding out): the plan's par (at least 1)
 *   - RoPE: the largest lanes <= par dividing head_dim / 2 (a beat never straddles the rotated halves)
 *   - add of a constant: the largest lanes <= par dividing the row and the constant's period
 *   - attention: UK = min(kpar, head_dim) lanes on q, k, v and out; UN = par
 */

import { divisorLanes } from '../../compiler/dataflow/timing.js';

// The cost model's schedule (compiler/dataflow/timing.ts) times the RTL at these lanes: one rule for both.
export { divisorLanes };

/**
 * Beats of a FIFO planned to hold `elements` elements, at the writer's `lanes` a beat (at
 * least 2: full rate). The planner's fifo-size already counts each row's padded last beat
 * in its elements, and compiler/dataflow/timing.ts times FIFOs of exactly this depth. The
 * C++ streams and the Verilog FIFOs take this one depth.
 */
export function fifoBeats(elements: number, lanes: number): number {
  return Math.max(2, Math.ceil(elements / lanes));
}

/** Beats of a stream of `elements` elements in rows of `row`, `lanes` a beat (each row's last beat padded). */
export function streamBeats(elements: number, row: number, lanes: number): number {
  return (elements / row) * Math.ceil(row / lanes);
}

/** At least one lane. */
export const planLanes = (n: number): number => Math.max(1, n);

/** RoPE: lanes dividing head_dim / 2. */
export const ropeLanes = (par: number, headDim: number): number => divisorLanes(par, headDim / 2);

/** Add of a stored constant: lanes dividing the row and the period. */
export const addConstLanes = (par: number, row: number, period: number): number => divisorLanes(par, row, period);

/** Attention: reduction lanes UK (also the stream lanes) and output lanes UN. */
export function attentionLanes(par: number, kpar: number, headDim: number): { uk: number; un: number; lanes: number } {
  const uk = Math.min(planLanes(kpar), headDim), un = planLanes(par);
  return { uk, un, lanes: uk };
}
