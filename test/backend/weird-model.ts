/**
 * A small model written with ModelBuilder whose graph, value, node and
 * initializer names are C++ keywords, shell and C++ fragments, unicode and
 * leading digits: everything the sanitizer must neutralize. Embedding ->
 * LayerNorm -> Linear -> residual Add -> Linear head, with the LayerNorm
 * output also a graph output (a fan-out to the host).
 */
import { Tensor } from '../../compiler/tensor.js';
import { FloatAttr, ModelBuilder } from '../../frontend/onnx-writer.js';
import { random } from '../../examples/tiny-gpt.js';

export const NASTY_NAMES = {
  graph: 'class',
  ids: 'int',
  table: 'a;system("rm -rf /")//',
  emb: 'return',
  gamma: 'λ-γ',
  beta: '1bias',
  ln: '$(rm -rf ~)',
  w1: 'template<typename T>',
  mm1: '`reboot`',
  b1: '0',
  lin1: 'namespace',
  res: 'void',
  w2: '__LINE__',
  logits: 'main',
  lnOut: 'ап_int',
  nodes: ['delete', '#include <stdlib.h>', '*/ evil(); /*', 'x\\', "'; DROP TABLE t; --", 'line\nbreak', '🙂'],
};

/** Fragments that must not appear in generated code, comments, Makefile or TCL. */
export const FORBIDDEN_FRAGMENTS = ['rm -rf /', 'rm -rf ~', 'system(', 'reboot', 'λ', 'ап_', '🙂', '*/ evil', 'DROP TABLE', '#include <stdlib.h>', 'typename T>'];

export function buildWeirdModel(vocab = 24, dim = 8, tokens = 5): ModelBuilder {
  const n = NASTY_NAMES;
  const rand = random(11);
  const t = (shape: number[], scale: number) => new Tensor('float32', shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale));
  const b = new ModelBuilder(n.graph, 17);
  b.input(n.ids, 'int64', [1, tokens]);
  b.initializer(n.table, t([vocab, dim], 1));
  b.initializer(n.gamma, t([dim], 1));
  b.initializer(n.beta, t([dim], 0.1));
  b.initializer(n.w1, t([dim, dim], 0.5));
  b.initializer(n.b1, t([dim], 0.1));
  b.initializer(n.w2, t([dim, vocab], 0.5));
  b.nodeN('Gather', [n.table, n.ids], [n.emb], { axis: 0 }, n.nodes[0]);
  b.nodeN('LayerNormalization', [n.emb, n.gamma, n.beta], [n.ln], { axis: -1, epsilon: new FloatAttr(1e-5) }, n.nodes[1]);
  b.nodeN('Identity', [n.ln], [n.lnOut], {}, n.nodes[6]);
  b.nodeN('MatMul', [n.ln, n.w1], [n.mm1], {}, n.nodes[2]);
  b.nodeN('Add', [n.mm1, n.b1], [n.lin1], {}, n.nodes[3]);
  b.nodeN('Add', [n.emb, n.lin1], [n.res], {}, n.nodes[4]);
  b.nodeN('MatMul', [n.res, n.w2], [n.logits], {}, n.nodes[5]);
  b.output(n.logits, 'float32', [1, tokens, vocab]);
  b.output(n.lnOut, 'float32', [1, tokens, dim]);
  return b;
}
