/**
 * DSP48 counts of the fixed-point kernels as the RTL library (templates/rtl/)
 * builds them and Yosys' synth_xilinx maps them, so that the planner's DSP
 * figure is the one synthesis reports (scripts/rtl-vs-estimate.mjs --yosys;
 * docs/yosys.md). Two kinds of figures:
 *
 *  - products whose operand widths the planner knows (a Linear's MACs and its
 *    requantization `acc * m`) are tiled the way Yosys' mul2dsp tiles a signed
 *    product onto DSP48E2's 27 x 18 multiplier (`productDsp`);
 *  - the other kernels' per-lane and per-kernel counts were measured with
 *    Yosys 0.23 on the library modules (test/rtl/dsp-count.test.ts re-measures
 *    them): they come from fixed-width datapaths (table interpolation, the
 *    norm's 32 x 18 scaling, the softmax's score scaling) that do not depend
 *    on the model's dimensions.
 */
import { Plan, Task } from './ir.js';

const A_MAX = 27; // DSP48E2 multiplier: 27 x 18 signed
const B_MAX = 18;
const SLICE = 17; // mul2dsp's partial slices: 18-bit signed ports with one sign bit of headroom

/**
 * DSP48E2 of a signed aBits x bBits product whose result is yBits wide, as
 * mul2dsp (Yosys 0.23, -D DSP_A_MAXWIDTH=27 -D DSP_B_MAXWIDTH=18
 * -D DSP_A_MAXWIDTH_PARTIAL=18 -D DSP_SIGNEDONLY) tiles it: the wider operand
 * goes to A; an A over 27 bits is cut into 17-bit slices and a 27-bit-or-less
 * top, a B over 18 bits likewise into 17-bit slices; a tile whose weight is at
 * or above the result width is optimized away.
 */
export function productDsp(aBits: number, bBits: number, yBits = aBits + bBits): number {
  const [a, b] = aBits >= bBits ? [aBits, bBits] : [bBits, aBits];
  if (b < 2) return 0;
  const aSlices = a > A_MAX ? Math.floor((a - A_MAX + B_MAX - 2) / SLICE) + 1 : 1;
  const bSlices = b > B_MAX ? Math.floor((b - 2) / SLICE) + 1 : 1;
  let n = 0;
  for (let i = 0; i < aSlices; i++) for (let j = 0; j < bSlices; j++) if (SLICE * (i + j) < yBits) n++;
  return n;
}

/** Bits of a Linear's requantization multiplier m (16-bit unsigned, a signed 17-bit operand). */
const REQUANT_M_BITS = 17;

/**
 * DSPs of an integer kernel under `plan` (lanes uk x un), for activations of
 * `actBits` (8 or 16) and accumulators of `accBits`; weights of 8 bits or
 * fewer take one DSP a MAC (no packing: the RTL and the HLS C++ multiply one
 * weight a DSP).
 */
export function integerKernelDsp(task: Task, plan: Plan, actBits: number, accBits: number): number {
  const un = plan.un;
  const narrow = actBits <= 8;
  switch (task.kind) {
    // uk x un MACs; each output lane requantizes acc * m.
    case 'linear': return plan.uk * un + un * productDsp(accBits, REQUANT_M_BITS, accBits + REQUANT_M_BITS);
    // QK and PV: a product each per uk x un lane; per key lane the score scaling and exp2 interpolation.
    case 'attention': return 2 * plan.uk * un + 6 * un + 2;
    // Per lane: x^2, the 32 x 18 scaling by 1/sigma, gamma and its rounding; per row: mean and variance terms.
    case 'layernorm': return 10 * un + 22;
    case 'rmsnorm': return 10 * un + 2;
    // Per lane: the gate table's interpolation and x * gate (swiglu: g * sigmoid(g) * u).
    case 'gelu': case 'silu': return (narrow ? 3 : 4) * un;
    case 'swiglu': return (narrow ? 6 : 10) * un;
    case 'rope': return 3 * un;
    case 'embedding': return un; // dequantize: w * scale
    case 'add': case 'reorder': return 0;
  }
}
