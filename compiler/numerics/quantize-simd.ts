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
import type { StridedRows } from '../tensor.js';
import { add, assemble, block, br, brIf, F64, get, geu, I32, i32, lazyKernel, loop, memarg, mul, set, shl, simd, V128 } from '../wasm/asm.js';


function moduleBytes(): Uint8Array {
  const v128load = (off: number) => simd(0x00, ...memarg(0, off));
  const store8 = (off: number) => [0x3a, ...memarg(0, off)];
  const promoteLow = simd(0x5f), div = simd(0xf3), min = simd(0xf4), max = simd(0xf5), nearest = simd(0x94);
  const truncSatZero = simd(0xfc), splat = simd(0x14), neg = simd(0xed), load64Splat = simd(0x0a, ...memarg(0, 0));
  const lane = (l: number) => simd(0x1b, l);
  const highToLow = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
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
  // qr(src, scale, out, R, C, qmax, C4, 0, 0): row-major q of rows [0, R) (scale per row), columns [0, C4).
  // Same params and locals; 9 r, 10 c, 11 p (src), 12 o (out); 14 splat(scale[r]).
  const R = K, CC = KK, C4 = NC, S = S01;
  const rowQuant = [
    ...get(QMAX), ...splat, ...set(QV), ...get(QV), ...neg, ...set(NQ),
    ...i32(0), ...set(C),
    ...block(loop(
      get(C), get(R), geu, brIf(1),
      get(SRC), get(C), get(N), mul, i32(2), shl, add, set(P),
      get(OUT), get(C), get(N), mul, add, set(O),
      get(SCALE), get(C), i32(3), shl, add, load64Splat, set(S),
      i32(0), set(CC),
      block(loop(
        get(CC), get(C4), geu, brIf(1),
        get(P), v128load(0), set(WV),
        get(WV), promoteLow, set(LO),
        get(WV), get(WV), highToLow, promoteLow, set(HI),
        q(LO, S), q(HI, S),
        get(O), get(LO), lane(0), store8(0),
        get(O), get(LO), lane(1), store8(1),
        get(O), get(HI), lane(0), store8(2),
        get(O), get(HI), lane(1), store8(3),
        get(P), i32(16), add, set(P),
        get(O), i32(4), add, set(O),
        get(CC), i32(4), add, set(CC),
        br(0),
      )),
      get(C), i32(1), add, set(C),
      br(0),
    )),
  ];
  const locals: [number, number][] = [[5, I32], [7, V128]];
  const params = [I32, I32, I32, I32, I32, F64, I32, I32, I32];
  return assemble(params, [{ name: 'qt', locals, code }, { name: 'qr', locals, code: rowQuant }]);
}

type Fn = (src: number, scale: number, out: number, K: number, N: number, qmax: number, NC: number, K0: number, K1: number) => void;
interface Kernel { memory: WebAssembly.Memory; qt: Fn; qr: Fn }
/** null without wasm SIMD: callers use the scalar loops. */
const instance = lazyKernel<Kernel>(moduleBytes, (e, memory) => ({ memory, qt: e.qt as Fn, qr: e.qr as Fn }));

const ROUNDER = 6755399441055744; // 1.5·2^52, as in quantize.ts
const ROW_BLOCK = 32;
/**
 * Bytes of W copied into the module's memory at a time: a block of columns
 * over all K rows. The module's memory never shrinks, so copying a whole
 * wide W (the 154 MB LM head) would keep that much allocated until exit.
 */
const BLOCK_BYTES = 4 << 20;

/**
 * The int8 integers of W [K, N] (its rows' little-endian float32 bytes, any
 * alignment and row stride, e.g. in the model file) with per-column scales, stored
 * transposed [N][K], in blocks of whole stored rows (columns of W), in
 * order. Each block is a view of the module's memory, valid until the next
 * one is asked for: consume (write) it first. Undefined when the SIMD
 * module is unavailable (callers use the scalar loops).
 */
export function quantizeTransposedSimdBlocks(w: StridedRows, scale: Float64Array, qmax: number, K: number, N: number,
  blockBytes = BLOCK_BYTES): Iterable<Int8Array> | undefined {
  if (K === 0 || N === 0 || w.offset + (K - 1) * w.stride + N * 4 > w.bytes.length || qmax > 127) return undefined;
  const k = instance();
  if (!k) return undefined;
  return blocks(k, w, scale, qmax, K, N, blockBytes);
}

function* blocks(k: Kernel, w: StridedRows, scale: Float64Array, qmax: number, K: number, N: number, blockBytes: number): Iterable<Int8Array> {
  // Columns per block: a multiple of 4 (the kernel's column group), or all of them.
  const cols = Math.min(N, Math.max(4, Math.floor(blockBytes / (K * 4)) & ~3));
  const sOff = 0, wOff = N * 8, oOff = wOff + K * cols * 4, need = oOff + K * cols + 16;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  new Float64Array(k.memory.buffer, sOff, N).set(scale);
  for (let c0 = 0; c0 < N; c0 += cols) {
    const c1 = Math.min(N, c0 + cols), n = c1 - c0;
    const buf = k.memory.buffer;
    // The block W[:, c0:c1] as a row-major [K, n] matrix (one copy when it is all of a contiguous W).
    const wm = new Uint8Array(buf, wOff, K * n * 4), { stride, offset } = w;
    const bytes = new Uint8Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength); // not a Buffer: cheaper subarray
    if (n === N && stride === N * 4) wm.set(bytes.subarray(offset, offset + K * N * 4));
    else for (let r = 0; r < K; r++) wm.set(bytes.subarray(offset + r * stride + c0 * 4, offset + r * stride + c1 * 4), r * n * 4);
    const NC = n & ~3;
    // Blocks of rows, so the rows' cache lines are reused across column groups of a wide block.
    for (let k0 = 0; k0 < K; k0 += ROW_BLOCK) k.qt(wOff, sOff + c0 * 8, oOff, K, n, qmax, NC, k0, Math.min(K, k0 + ROW_BLOCK));
    const out = new Int8Array(buf, oOff, K * n);
    if (NC < n) {
      // The last n mod 4 columns: the scalar rule (roundClamp of quantize.ts).
      const v = new Float32Array(buf, wOff, K * n);
      for (let c = NC; c < n; c++) {
        const s = scale[c0 + c], o = c * K;
        for (let r = 0; r < K; r++) {
          const x = v[r * n + c] / s;
          out[o + r] = x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
        }
      }
    }
    yield out;
  }
}

/** quantizeTransposedSimdBlocks as one fresh array [N][K] (tests, small W). */
export function quantizeTransposedSimd(wBytes: Uint8Array, scale: Float64Array, qmax: number, K: number, N: number,
  blockBytes = BLOCK_BYTES): Int8Array | undefined {
  const parts = quantizeTransposedSimdBlocks({ bytes: wBytes, stride: N * 4, offset: 0 }, scale, qmax, K, N, blockBytes);
  if (!parts) return undefined;
  const out = new Int8Array(K * N);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/**
 * The int8 integers of a [R, C] float32 matrix (its rows' little-endian
 * bytes in place, e.g. an Embedding table in the model file) with one scale
 * per row, row-major, in blocks of whole rows (each a view of the module's
 * memory, valid until the next is asked for). Undefined when the SIMD module
 * is unavailable.
 */
export function quantizeRowsSimdBlocks(w: StridedRows, scale: Float64Array, qmax: number, R: number, C: number,
  blockBytes = BLOCK_BYTES): Iterable<Int8Array> | undefined {
  if (R === 0 || C === 0 || w.offset + (R - 1) * w.stride + C * 4 > w.bytes.length || qmax > 127) return undefined;
  const k = instance();
  if (!k) return undefined;
  return rowBlocks(k, w, scale, qmax, R, C, blockBytes);
}

function* rowBlocks(k: Kernel, w: StridedRows, scale: Float64Array, qmax: number, R: number, C: number, blockBytes: number): Iterable<Int8Array> {
  const rows = Math.max(1, Math.min(R, Math.floor(blockBytes / (C * 4))));
  const sOff = 0, wOff = (R * 8 + 15) & ~15, oOff = wOff + rows * C * 4, need = oOff + rows * C + 16;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  new Float64Array(k.memory.buffer, sOff, R).set(scale);
  const { stride, offset } = w;
  const bytes = new Uint8Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength); // not a Buffer: cheaper subarray
  const C4 = C & ~3;
  for (let r0 = 0; r0 < R; r0 += rows) {
    const n = Math.min(R, r0 + rows) - r0;
    const buf = k.memory.buffer;
    const wm = new Uint8Array(buf, wOff, n * C * 4);
    if (stride === C * 4) wm.set(bytes.subarray(offset + r0 * stride, offset + (r0 + n) * stride));
    else for (let r = 0; r < n; r++) wm.set(bytes.subarray(offset + (r0 + r) * stride, offset + (r0 + r) * stride + C * 4), r * C * 4);
    k.qr(wOff, sOff + r0 * 8, oOff, n, C, qmax, C4, 0, 0);
    const out = new Int8Array(buf, oOff, n * C);
    if (C4 < C) {
      // The last C mod 4 columns of each row: the scalar rule (roundClamp of quantize.ts).
      const v = new Float32Array(buf, wOff, n * C);
      for (let r = 0; r < n; r++) {
        const s = scale[r0 + r];
        for (let c = C4; c < C; c++) {
          const x = v[r * C + c] / s;
          out[r * C + c] = x >= qmax ? qmax : x <= -qmax ? -qmax : x !== x ? 0 : (x + ROUNDER) - ROUNDER;
        }
      }
    }
    yield out;
  }
}
