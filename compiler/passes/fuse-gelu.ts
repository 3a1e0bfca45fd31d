/**
 * GELU fusion, both forms, in any association order of the products:
 *
 *   tanh: 0.5 · x · (1 + Tanh(√(2/π) · (x + 0.044715 · x³)))   x³ as Pow(x, 3) or x·x·x
 *   erf:  0.5 · x · (1 + Erf(x / √2))                          x / √2 as Div by √2 or Mul by 1/√2
 *
 * A product is a tree of single-use Mul nodes and Divs by scalar constants;
 * its constants multiply out to the coefficient (0.5 may also be written
 * as a Div by 2). Becomes llm.Gelu {approximate: "tanh" | "none"}.
 */
import { Node } from '../graph.js';
import { GraphPass } from './pass.js';
import { cleanup } from './graph-edit.js';
import { Fuser, Rewrite, flattenProduct, near, otherInput } from './fusion-match.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI); // 0.7978845608
const GELU_CUBIC = 0.044715;

/** The power of x a factor list amounts to (x counts 1, Pow(x, k) counts k), or undefined if another factor appears. */
function powerOfX(f: Fuser, factors: readonly string[], x: string, nodes: Node[]): number | undefined {
  let power = 0;
  for (const v of factors) {
    if (v === x) { power++; continue; }
    const pow = f.producer(v, 'Pow');
    const k = pow && pow.inputs[0] === x && f.singleUse(v) ? f.scalar(pow.inputs[1]) : undefined;
    if (!pow || k === undefined || !Number.isInteger(k) || k < 1) return undefined;
    nodes.push(pow);
    power += k;
  }
  return power;
}

/** The product at `value`'s producer (a Mul or a Div by a constant), when single-use. */
function productAt(f: Fuser, value: string) {
  const p = f.producer(value, 'Mul', 'Div');
  return p && f.singleUse(value) ? flattenProduct(f, p) : undefined;
}

/** √(2/π) · (x + 0.044715 · x³) at `value`. */
function matchTanhArg(f: Fuser, value: string, x: string, nodes: Node[]): boolean {
  const outer = productAt(f, value);
  if (!outer || !near(outer.coef, SQRT_2_OVER_PI) || outer.factors.length !== 1) return false;
  const sum = f.producer(outer.factors[0], 'Add');
  if (!sum || !f.singleUse(outer.factors[0])) return false;
  const cubic = otherInput(sum, x);
  if (cubic === undefined || cubic === x) return false;
  const inner = productAt(f, cubic);
  if (!inner || !near(inner.coef, GELU_CUBIC)) return false;
  const powNodes: Node[] = [];
  if (powerOfX(f, inner.factors, x, powNodes) !== 3) return false;
  nodes.push(...outer.nodes, sum, ...inner.nodes, ...powNodes);
  return true;
}

/** x / √2 at `value`. */
function matchErfArg(f: Fuser, value: string, x: string, nodes: Node[]): boolean {
  const p = productAt(f, value);
  if (!p || !near(p.coef, Math.SQRT1_2) || p.factors.length !== 1 || p.factors[0] !== x) return false;
  nodes.push(...p.nodes);
  return true;
}

function matchGelu(f: Fuser, root: Node): Rewrite | undefined {
  const product = flattenProduct(f, root);
  if (!product || !near(product.coef, 0.5) || product.factors.length !== 2) return undefined;
  for (const [onePlus, x] of [product.factors, [...product.factors].reverse()]) {
    // onePlus = 1 + Tanh(...) or 1 + Erf(...)
    const add = f.producer(onePlus, 'Add');
    if (!add || !f.singleUse(onePlus)) continue;
    const fn = [add.inputs[0], add.inputs[1]].find((v) => near(f.scalar(otherInput(add, v) ?? ''), 1));
    const act = fn !== undefined ? f.producer(fn, 'Tanh', 'Erf') : undefined;
    if (!act || !f.singleUse(fn!)) continue;
    const nodes: Node[] = [...product.nodes, add, act];
    const ok = act.opType === 'Tanh' ? matchTanhArg(f, act.inputs[0], x, nodes) : matchErfArg(f, act.inputs[0], x, nodes);
    if (!ok || !f.sameShape(root.outputs[0], x)) continue;
    return {
      root, nodes,
      build: () => [{
        name: root.name, opType: 'llm.Gelu', inputs: [x], outputs: [...root.outputs],
        attrs: { approximate: act.opType === 'Tanh' ? 'tanh' : 'none' },
      }],
    };
  }
  return undefined;
}

export const fuseGelu: GraphPass = {
  name: 'fuse-gelu',
  run(graph) {
    const f = new Fuser(graph);
    // Outermost products first, so a root is never an inner Mul of a larger match.
    for (const node of [...graph.nodes].reverse()) {
      if (node.opType === 'Mul' || node.opType === 'Div') f.apply(matchGelu(f, node));
    }
    cleanup(graph);
  },
};
