/** Seeded uniform and normal generators (mulberry32), so every test sees the same data. */
export function rng(seed: number): { uniform: () => number; normal: () => number; int: (lo: number, hi: number) => number } {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const int = (lo: number, hi: number) => lo + Math.floor(uniform() * (hi - lo + 1));
  return { uniform, normal, int };
}
