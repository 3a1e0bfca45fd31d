/**
 * Quantization of a Linear W [K, N] straight into its stored layout [N][K]
 * (int8), in WebAssembly SIMD: per group of four columns and every row k,
 * q = trunc(nearest(max(min(w / scale[c], qmax), −qmax))) — the exact float64
 * quotient of the scalar path, f64x2.nearest rounds half to even, NaN
 * stays NaN through min/max and saturating truncation makes it 0 — so the
 * integers are those of quantize.ts's scalar loops (roundClamp), bit for bit
 * (test/numerics/quantize-simd.test.ts); only faster (docs/performance.md).
 *
 * The module is assembled below from its instructions (no toolchain), like
 * compiler/kernels/linear-simd.ts. Exported
 * qt(src, scale, out, K, N, qmax, NC, K0, K1) (rows [K0, K1)): src: K·N float32 row-major, scale: N
 * float64, out: N·K int8 (row c is column c of W); columns [0, NC), NC a
 * multiple of 4 (the caller does the last N − NC columns).
 */
const leb = (n: number): number[] => { const out: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const str = (s: string): number[] => [...leb(s.length), ...Array.from(Buffer.from(s))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

function moduleBytes(): Uint8Array {
  const get = (i: number) => [0x20, ...leb(i)], set = (i: number) => [0x21, ...leb(i)];
  const i32 = (n: number) => [0x41, ...leb(n)]; // small non-negative constants only
  const add = [0x6a], mul = [0x6c], geu = [0x4f], shl = [0x74];
  const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
  const memarg = (align: number, off: number) => [...leb(align), ...leb(off)];
  const v128load = (off: number) => simd(0x00, ...memarg(0, off));
  const store8 = (off: number) => [0x3a, ...memarg(0, off)];
  const promoteLow = simd(0x5f), div = simd(0xf3), min = simd(0xf4), max = simd(0xf5), nearest = simd(0x94);
  const truncSatZero = simd(0xfc), splat = simd(0x14), neg = simd(0xed);
  const lane = (l: number) => simd(0x1b, l);
  const highToLow = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const block = (...body: number[][]) => [0x02, 0x40, ...body.flat(), 0x0b];
  const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
  const brIf = (d: number) => [0x0d, ...leb(d)], br = (d: number) => [0x0c, ...leb(d)];
  // Params 0 src, 1 scale, 2 out, 3 K, 4 N, 5 qmax (f64), 6 NC, 7 K0, 8 K1; i32 locals 9 c, 10 k, 11 p, 12 o, 13 N·4;
  // v128 locals 14 s01, 15 s23, 16 w, 17 lo, 18 hi, 19 qmax, 20 −qmax.
  const SRC = 0, SCALE = 1, OUT = 2, K = 3, N = 4, QMAX = 5, NC = 6, K0 = 7, K1 = 8, C = 9, KK = 10, P = 11, O = 12, N4 = 13;
  const S01 = 14, S23 = 15, WV = 16, LO = 17, HI = 18, QV = 19, NQ = 20;
  const q = (v: number, s: number) => [...get(v), ...get(s), ...div, ...get(QV), ...min, ...get(NQ), ...max, ...nearest, ...truncSatZero, ...set(v)];
  const code = [
    ...get(N), ...i32(2), ...shl, ...set(N4),
    ...get(QMAX), ...splat, ...set(QV), ...get(QV), ...neg, ...set(NQ),
    ...i32(0), ...set(C),
    ...block(loop(
      get(C), get(NC), geu, brIf(1),
      get(SCALE), get(C), i32(3), shl, add, v128load(0), set(S01),
      get(SCALE), get(C), i32(3), shl, add, v128load(16), set(S23),
      get(SRC), get(K0), get(N), mul, get(C), add, i32(2), shl, add, set(P),
      get(OUT), get(C), get(K), mul, add, get(K0), add, set(O),
      get(K0), set(KK),
      block(loop(
        get(KK), get(K1), geu, brIf(1),
        get(P), v128load(0), set(WV),
        get(WV), promoteLow, set(LO),
        get(WV), get(WV), highToLow, promoteLow, set(HI),
        q(LO, S01), q(HI, S23),
        // out[c + j][k] for j = 0..3: rows K bytes apart.
        get(O), get(LO), lane(0), store8(0),
        get(O), get(K), add, get(LO), lane(1), store8(0),
        get(O), get(K), i32(1), shl, add, get(HI), lane(0), store8(0),
        get(O), get(K), i32(1), shl, add, get(K), add, get(HI), lane(1), store8(0),
        get(P), get(N4), add, set(P),
        get(O), i32(1), add, set(O),
        get(KK), i32(1), add, set(KK),
        br(0),
      )),
      get(C), i32(4), add, set(C),
      br(0),
    )),
  ];
  const body = [...leb(2), ...leb(5), 0x7f, ...leb(7), 0x7b, ...code, 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 9, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7c, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('qt'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Kernel { memory: WebAssembly.Memory; qt: (src: number, scale: number, out: number, K: number, N: number, qmax: number, NC: number, K0: number, K1: number) => void }
let kernel: Kernel | null | undefined;

function instance(): Kernel | null {
  if (kernel === undefined) {
    try {
      if (!LITTLE_ENDIAN) throw new Error('big-endian host');
      const memory = new WebAssembly.Memory({ initial: 1 });
      const inst = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes() as Uint8Array<ArrayBuffer>), { env: { mem: memory } });
      kernel = { memory, qt: inst.exports.qt as Kernel['qt'] };
    } catch {
      kernel = null; // no wasm SIMD: callers use the scalar loops
    }
  }
  return kernel;
}

const ROUNDER = 6755399441055744; // 1.5·2^52, as in quantize.ts
const ROW_BLOCK = 32;

/**
 * The int8 integers of W [K, N] (its little-endian float32 bytes, any
 * alignment, e.g. a view of the model file) with per-column scales, stored
 * transposed [N][K]. The result is a view of the module's memory, valid
 * until the next call: consume (write) it first. Undefined when the SIMD
 * module is unavailable (callers use the scalar loops).
 */
export function quantizeTransposedSimd(wBytes: Uint8Array, scale: Float64Array, qmax: number, K: number, N: number): Int8Array | undefined {
  if (K === 0 || N === 0 || wBytes.length !== K * N * 4 || qmax > 127) return undefined;
  const k = instance();
  if (!k) return undefined;
  const sOff = 0, wOff = N * 8, oOff = wOff + K * N * 4, need = oOff + K * N + 16;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const buf = k.memory.buffer;
  new Float64Array(buf, sOff, N).set(scale);
  new Uint8Array(buf, wOff, K * N * 4).set(wBytes);
  const NC = N & ~3;
  // Blocks of rows, so the rows' cache lines are reused across column groups of a wide W.
  for (let k0 = 0; k0 < K; k0 += ROW_BLOCK) k.qt(wOff, sOff, oOff, K, N, qmax, NC, k0, Math.min(K, k0 + ROW_BLOCK));
  const out = new Int8Array(buf, oOff, K * N);
  if (NC < N) {
    // The last N mod 4 columns: the scalar rule (roundClamp of quantize.ts).
    const v = new Float32Array(buf, wOff, K * N);
    for (let c = NC; c < N; c++) {
      const s = scale[c], o = c * K;
      for (let r = 0; r < K; r++) {
        const x = v[r * N + c] / s;
        out[o + r] = x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
      }
    }
  }
  return out;
}
