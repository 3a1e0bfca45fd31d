/** Add: two streams, or a stream and a constant (stored with a period, or broadcast in full). */
import { UnsupportedError } from '../../compiler/errors.js';
import { Tensor, sizeOf } from '../../compiler/tensor.js';
import { sanitizeIdentifier } from '../sanitize.js';
import { arrayChunks, broadcastTensor, tensorChunks } from './chunks.js';
import type { KernelContext, Task } from './context.js';
import { addConstLanes, planLanes } from './lanes.js';

export function add(c: KernelContext): Task {
  const { node, ins, outShape, quant } = c;
  const [a, b] = ins;
  const size = sizeOf(outShape);
  const ca = c.constOf(a), cb = c.constOf(b);
  /** The constant operand's slot (1 when there is none: operands stay in order). */
  const ci = ca ? 0 : 1;
  const q = quant ? '_q' : '';
  const row = outShape[outShape.length - 1] ?? 1;
  c.int('size', size); c.int('rows', size / row); c.int('row', row);
  if (quant) {
    c.types({ in_t: 'act_type', out_t: 'act_type' });
    // Both operands are aligned to the finer of their two fractions, then shifted to the output's.
    const fs = quant.format(node.inputs[1 - ci]).frac, fc = quant.format(node.inputs[ci]).frac, F = Math.max(fs, fc);
    c.int('a_shift', F - fs); c.int('b_shift', F - fc); c.int('shift', F - quant.y().frac); c.int('y_bits', quant.y().bits);
  } else c.types({ in_t: 'act_type', c_t: 'wgt_type', acc_t: 'acc_type', out_t: 'act_type' });

  if (!ca && !cb) {
    if (sizeOf(c.shapeOf(a)) !== size || sizeOf(c.shapeOf(b)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: broadcasting between two streams is not supported`);
    const L = planLanes(c.plan.parallelism);
    c.int('par', L); c.lanes([L, L], L);
    return c.task(`add${q}`, [a, b], (i, o) => c.render(`add${q}`, [i[0], i[1], o]), outShape);
  }
  const s = ins[1 - ci], cname = node.inputs[ci], cT = (ca ?? cb)!;
  const cq = quant?.constants[cname];
  if (quant && !cq) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: the constant operand has no quantized value`);
  if (sizeOf(c.shapeOf(s)) !== size) throw new UnsupportedError(`Add ${sanitizeIdentifier(node.name)}: the streamed operand must have the output's shape`);
  // A trailing-suffix constant repeats with a period; anything else is stored broadcast.
  const cs = [...cT.shape];
  while (cs.length && cs[0] === 1) cs.shift();
  const suffix = outShape.slice(outShape.length - cs.length);
  const periodic = cs.length <= outShape.length && cs.every((d, i) => d === suffix[i]);
  c.int('period', periodic ? sizeOf(cs) : size);
  const L = addConstLanes(c.plan.parallelism, row, periodic ? sizeOf(cs) : size);
  c.int('par', L); c.lanes([L], L);
  const layout = periodic ? 'as-is' : 'broadcast', storedShape = periodic ? cs : outShape;
  let cArg: string;
  if (cq) { // fixed point (a missing cq threw above)
    const values = periodic ? cq : broadcastTensor(new Tensor('int32', [...cT.shape], cq), outShape).data;
    cArg = c.addWeight(cname, layout, undefined, storedShape, () => arrayChunks('int32', values), 'int32');
  } else {
    const stored = periodic ? cT : broadcastTensor(cT, outShape);
    cArg = c.addWeight(cname, layout, stored, storedShape, () => tensorChunks(stored));
  }
  return c.task(`add${q}_const`, [s], (i, o) => c.render(`add${q}_const`, [i[0], cArg, o]), outShape);
}
