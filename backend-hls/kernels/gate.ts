/** llm.Gelu and llm.SiLU: elementwise gates (fixed point: one table-driven gate_q kernel). */
import type { GateSpec } from '../../compiler/numerics/spec.js';
import { sizeOf } from '../../compiler/tensor.js';
import type { KernelContext, Task } from './context.js';
import { planLanes } from './lanes.js';

export function gate(c: KernelContext): Task {
  const { node, ins, outShape } = c;
  const row = outShape[outShape.length - 1] ?? 1, L = planLanes(c.plan.parallelism);
  const rows = (): void => { c.int('rows', sizeOf(outShape) / row); c.int('row', row); c.int('par', L); c.lanes([L], L); };
  if (c.quant) {
    const q = c.quant.kernel as GateSpec;
    const fx = c.quant.format(node.inputs[0]).frac;
    c.int('size', sizeOf(outShape)); rows(); c.int('table', q.table === 'sigmoid' ? 0 : q.table === 'gelu_erf' ? 1 : 2);
    c.int('x_frac', fx); c.int('shift', fx + 16 - c.quant.y().frac); c.int('y_bits', c.quant.y().bits);
    c.types({ in_t: 'act_type', out_t: 'act_type' });
    return c.task('gate_q', [ins[0]], (i, o) => c.render('gate_q', [i[0], o]), outShape);
  }
  c.int('size', sizeOf(outShape)); rows();
  if (node.opType === 'llm.Gelu') c.int('tanh_form', node.attrs.approximate === 'tanh' ? 1 : 0);
  c.types({ in_t: 'act_type', acc_t: 'acc_type', out_t: 'act_type' });
  const kern = node.opType === 'llm.Gelu' ? 'gelu' : 'silu';
  return c.task(kern, [ins[0]], (i, o) => c.render(kern, [i[0], o]), outShape);
}
