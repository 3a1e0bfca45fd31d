/**
 * Embedding fusion: Gather(table, ids) on axis 0 of a constant 2-D table
 * becomes llm.Embedding(table, ids). Position embeddings whose ids are a
 * constant (a folded Range) keep the ids as a constant int64 input; when
 * the whole lookup was folded by prepareGraph there is no Gather left and
 * the positions are a constant added to the token embedding.
 */
import { Node } from '../graph.js';
import { Tensor } from '../tensor.js';
import { GraphPass } from './pass.js';
import { addConstant, cleanup } from './graph-edit.js';
import { Fuser, Rewrite } from './fusion-match.js';

const INDEX_TYPES = new Set(['int64', 'int32']);

function matchEmbedding(f: Fuser, gather: Node): Rewrite | undefined {
  const [tableName, ids] = gather.inputs;
  const table = f.constant(tableName);
  if (!table || table.rank !== 2 || gather.outputs.length !== 1) return undefined;
  const axis = typeof gather.attrs.axis === 'number' ? gather.attrs.axis : 0;
  if (axis !== 0 && axis !== -2) return undefined;
  const idsType = f.type(ids);
  if (!idsType || !INDEX_TYPES.has(idsType.dtype)) return undefined;
  const constIds = f.constant(ids);
  return {
    root: gather, nodes: [gather],
    build: () => {
      const idsName = constIds && constIds.dtype !== 'int64'
        ? addConstant(f.graph, `${ids}.int64`, Tensor.from('int64', constIds.shape, constIds.toArray()))
        : ids;
      return [{ name: gather.name, opType: 'llm.Embedding', inputs: [tableName, idsName], outputs: [...gather.outputs], attrs: {} }];
    },
  };
}

export const fuseEmbedding: GraphPass = {
  name: 'fuse-embedding',
  run(graph) {
    const f = new Fuser(graph);
    for (const node of [...graph.nodes]) if (node.opType === 'Gather') f.apply(matchEmbedding(f, node));
    cleanup(graph);
  },
};
