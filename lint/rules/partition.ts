/** The array_partition / array_reshape pragmas of a file, with the array each names. */
import { Affine, isConst, konst } from '../affine.js';
import { Decl, FileModel, Pragma } from '../model.js';

export interface Partition {
  pragma: Pragma;
  variable?: string;
  /** cyclic, block, complete; undefined when none is written */
  type?: string;
  /** types written that are not one of the three */
  badType?: string;
  factor?: Affine;
  factorText?: string;
  dim: number;
  dimText?: string;
  decl?: Decl;
}

const TYPES = ['cyclic', 'block', 'complete'];

export function partitions(model: FileModel): Partition[] {
  const out: Partition[] = [];
  for (const p of model.pragmas) {
    if (p.kind !== 'array_partition' && p.kind !== 'array_reshape') continue;
    const explicit = p.opts.get('type')?.toLowerCase();
    const bare = p.words.filter((w) => TYPES.includes(w));
    const type = explicit ?? bare[0];
    const badType = explicit !== undefined && !TYPES.includes(explicit) ? explicit : undefined;
    const factorText = p.opts.get('factor');
    const dimText = p.opts.get('dim');
    const dimValue = dimText === undefined ? konst(1) : model.constant(dimText) ?? (/^\d+$/.test(dimText) ? konst(Number(dimText)) : undefined);
    const variable = p.opts.get('variable');
    const fn = p.func;
    const decl = variable ? model.lookup(variable, fn) : undefined;
    out.push({
      pragma: p, variable, type, badType, factorText, dimText, decl,
      factor: factorText === undefined ? undefined : evalWord(model, factorText, fn),
      dim: isConst(dimValue) ? dimValue.c : NaN,
    });
  }
  return out;
}

function evalWord(model: FileModel, text: string, fn: Pragma['func']): Affine | undefined {
  if (/^\d+$/.test(text)) return konst(Number(text));
  if (fn?.template.has(text)) return fn.template.get(text);
  return model.constant(text);
}
