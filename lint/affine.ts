/**
 * Affine forms over unknown symbols: c + sum(k_s * s). Array extents, loop
 * bounds and indices of fragments are often names the file never defines (a
 * macro from an absent header, a template parameter); comparing `N` with
 * `N + 0` still decides `i <= N` against `a[N]`. A comparison is decided only
 * when the difference of two forms is a constant.
 */
export interface Affine {
  c: number;
  /** symbol -> coefficient (never 0) */
  t: Map<string, number>;
}

export const konst = (c: number): Affine => ({ c, t: new Map() });
export const sym = (s: string, k = 1): Affine => ({ c: 0, t: new Map([[s, k]]) });

export function add(a: Affine, b: Affine, sign = 1): Affine {
  const t = new Map(a.t);
  for (const [s, k] of b.t) {
    const v = (t.get(s) ?? 0) + sign * k;
    if (v === 0) t.delete(s);
    else t.set(s, v);
  }
  return { c: a.c + sign * b.c, t };
}

export const sub = (a: Affine, b: Affine): Affine => add(a, b, -1);

export function scale(a: Affine, k: number): Affine {
  if (k === 0) return konst(0);
  const t = new Map<string, number>();
  for (const [s, v] of a.t) t.set(s, v * k);
  return { c: a.c * k, t };
}

export const isConst = (a: Affine | undefined): a is Affine => a !== undefined && a.t.size === 0;

/** a * b when one side is a constant. */
export function mul(a: Affine, b: Affine): Affine | undefined {
  if (isConst(a)) return scale(b, a.c);
  if (isConst(b)) return scale(a, b.c);
  return undefined;
}

/** The constant a - b, when the difference has no symbol left. */
export function diff(a: Affine, b: Affine): number | undefined {
  const d = sub(a, b);
  return isConst(d) ? d.c : undefined;
}

export function show(a: Affine): string {
  const parts: string[] = [];
  for (const [s, k] of a.t) parts.push(k === 1 ? s : k === -1 ? `-${s}` : `${k}*${s}`);
  if (a.c !== 0 || parts.length === 0) parts.push(String(a.c));
  return parts.join(' + ').replace(/\+ -/g, '- ');
}
