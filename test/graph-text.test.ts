/** The graph IR's text form: printing, parsing back, and verifier errors. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGraph, printGraph } from '../compiler/graph-text.js';
import { verifyGraph } from '../compiler/verify.js';
import { interpret } from '../compiler/interpreter.js';
import { loadOnnxFile } from '../frontend/onnx-load.js';
import { prepareGraph } from '../compiler/model.js';
import { Tensor } from '../compiler/tensor.js';
import { ROOT } from './helpers/cli.js';

const text = `graph g opset 17
input %x: float32[2, 3]
input %"odd name/with spaces": float32[3]
const %w: float32[3] = [0.5, -1, inf]
%a = Add(%x, %w) @add_0
%b = Mul(%a, %"odd name/with spaces")
%c, %d = Split(%b, ) {axis: 1, num_outputs: 2}
output %c: float32[2, 2]
output %d: float32[2, 1]
`;

describe('graph IR text', () => {
  it('parses and prints back the same text', () => {
    const g = parseGraph(text);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Add', 'Mul', 'Split']);
    expect(g.nodes[2].inputs).toEqual(['b', '']);
    expect(g.nodes[2].attrs).toEqual({ axis: 1, num_outputs: 2 });
    expect(g.inputs[1].name).toBe('odd name/with spaces');
    expect(printGraph(g)).toBe(text);
  });

  it('runs a parsed graph', () => {
    const g = parseGraph(text);
    verifyGraph(g);
    const [c, d] = interpret(g, [Tensor.from('float32', [2, 3], [1, 2, 3, 4, 5, 6]), Tensor.from('float32', [3], [2, 1, 0])]);
    expect(c.toArray()).toEqual([3, 1, 9, 4]);
    expect(d.toArray()).toEqual([NaN, NaN]); // (3 + inf) * 0
  });

  it('round-trips a real exported model after folding', () => {
    const g = prepareGraph(loadOnnxFile(path.join(ROOT, 'test', 'fixtures', 'exported', 'llama_mini.onnx')));
    const printed = printGraph(g);
    expect(printGraph(parseGraph(printed))).toBe(printed);
  });

  it('reports a use before definition', () => {
    const g = parseGraph('graph g opset 17\ninput %x: float32[1]\n%y = Neg(%z)\noutput %y: float32[1]\n');
    expect(() => verifyGraph(g)).toThrow(/Neg node: reads 'z' before it is defined|reads 'z' before it is defined/);
  });

  it('names the line of a syntax error', () => {
    expect(() => parseGraph('graph g opset 17\n%y = Neg(%x\n')).toThrow(/graph IR line 2/);
  });
});
