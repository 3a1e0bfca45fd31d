/** llm.SwiGLU: silu(gate) * up over two streams. */
import { sizeOf } from '../../compiler/tensor.js';
import type { KernelContext, Task } from './context.js';
import { planLanes } from './lanes.js';

export function swiglu(c: KernelContext): Task {
  const { node, ins, outShape } = c;
  const row = outShape[outShape.length - 1] ?? 1, L = planLanes(c.plan.parallelism);
  c.int('size', sizeOf(outShape)); c.int('rows', sizeOf(outShape) / row); c.int('row', row); c.int('par', L); c.lanes([L, L], L);
  if (c.quant) {
    const fg = c.quant.format(node.inputs[0]).frac, fu = c.quant.format(node.inputs[1]).frac;
    c.int('g_frac', fg); c.int('shift', fg + 16 + fu - c.quant.y().frac); c.int('y_bits', c.quant.y().bits);
    c.types({ in_t: 'act_type', out_t: 'act_type' });
  } else c.types({ in_t: 'act_type', acc_t: 'acc_type', out_t: 'act_type' });
  const kern = c.quant ? 'swiglu_q' : 'swiglu';
  return c.task(kern, [ins[0], ins[1]], (i, o) => c.render(kern, [i[0], i[1], o]), outShape);
}
