/**
 * Planned stream lanes of a kernel task, legalized once for both renderers
 * (issue #8, "One design, two renderers"): the RTL modules (backend-rtl/kernels.ts)
 * take these numbers; the HLS C++ kernels are to take the same ones.
 *   - elementwise kernels (gate, swiglu, add of two streams, norm, embedding out): the plan's par (at least 1)
 *   - RoPE: the largest lanes <= par dividing head_dim / 2 (a beat never straddles the rotated halves)
 *   - add of a constant: the largest lanes <= par dividing the row and the constant's period
 *   - attention: UK = min(kpar, head_dim) lanes on q, k, v and out; UN = par
 */

import { divisorLanes } from '../../compiler/dataflow/timing.js';

// The cost model's schedule (compiler/dataflow/timing.ts) times the RTL at these lanes: one rule for both.
export { divisorLanes };

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
