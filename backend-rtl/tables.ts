/**
 * The lookup tables of the numeric contract (compiler/numerics/tables.ts, the
 * same source as the C++ llm2hls_tables.h) as $readmemh images for the
 * Verilog library. Every lookup is lerp(T, i, r, R) = T[i] + round_shift((T[i+1]
 * − T[i]) · r, R), so each ROM word holds the pair an index needs, read in one
 * access: word i = {T[i+1], T[i]}, 17 bits each (values in [0, 2^16]). The last
 * word repeats T[n−1] as its own right end, which is what the gate's
 * "i = 2048 → T[2048]" case needs (its remainder is 0 there).
 */
import { LookupTable, TABLES } from '../compiler/numerics/tables.js';
import { hexImage, packLanes } from './rom.js';

export const TABLE_ENTRY_BITS = 17;

/** The ROM file name of a table: llm2hls_table_<name>.hex. */
export function tableFile(t: LookupTable): string {
  return `llm2hls_table_${t.name}.hex`;
}

/** One table as its pair ROM image. */
export function tableImage(t: LookupTable): string {
  const v = t.values;
  const words = v.map((x, i) => packLanes([x, v[Math.min(i + 1, v.length - 1)]], TABLE_ENTRY_BITS));
  return hexImage(words, 2 * TABLE_ENTRY_BITS);
}

/** Every table's image, by file name. */
export function tableImages(): Record<string, string> {
  return Object.fromEntries(TABLES.map((t) => [tableFile(t), tableImage(t)]));
}
