/**
 * float32 W [K, N] stored transposed as [N][K] (the fp32 Linear weight
 * layout), in WebAssembly SIMD: 4x4 blocks moved with byte shuffles, so
 * every value's bits are copied unchanged (the same bytes as the scalar
 * loop in emit.ts, NaN payloads included), several times faster than a
 * typed-array loop and reading W's rows straight from the model file's
 * bytes (any alignment or row stride), never a decoded copy of W.
 *
 * The module is assembled below from its instructions (no toolchain), like
 * compiler/numerics/quantize-simd.ts. Exported tr(src, out, K, N, NC, K0, K1):
 * src K·N float32 row-major, out N·K (row c is column c of src); rows
 * [K0, K1) (multiples of 4), columns [0, NC) (a multiple of 4).
 */
import type { StridedRows } from '../compiler/tensor.js';
import { add, assemble, block, br, brIf, get, geu, I32, i32, inc, lazyKernel, leb, loop, mul, set, shl, simd, V128 } from '../compiler/wasm/asm.js';


function moduleBytes(): Uint8Array {
  const load = (off: number) => simd(0x00, 0, ...leb(off)), store = simd(0x0b, 0, 0);
  // i8x16.shuffle picking 32-bit lanes (0-3 from the first operand, 4-7 from the second).
  const shuffle = (...lanes: number[]) => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  // Params 0 src, 1 out, 2 K, 3 N, 4 NC, 5 K0, 6 K1; i32 locals 7 k, 8 c, 9 p (src row k, column c), 10 o (out[c][k]),
  // 11 N·4 (src row stride), 12 K·4 (out row stride); v128 locals 13-16 rows k..k+3, 17-20 half-transposed pairs.
  const SRC = 0, OUT = 1, K = 2, N = 3, NC = 4, K0 = 5, K1 = 6, KK = 7, C = 8, P = 9, O = 10, N4 = 11, K4 = 12, R = 13, T = 17;
  const code = [
    ...get(N), ...i32(2), ...shl, ...set(N4), ...get(K), ...i32(2), ...shl, ...set(K4),
    ...get(K0), ...set(KK),
    ...block(loop(
      get(KK), get(K1), geu, brIf(1),
      get(SRC), get(KK), get(N4), mul, add, set(P),
      get(OUT), get(KK), i32(2), shl, add, set(O),
      i32(0), set(C),
      block(loop(
        get(C), get(NC), geu, brIf(1),
        // Rows k..k+3 of columns c..c+3: a0..a3, b0..b3, c0..c3, d0..d3.
        ...[0, 1, 2, 3].map((r) => [...get(P), ...(r ? [...get(N4), ...i32(r), ...mul, ...add] : []), ...load(0), ...set(R + r)]),
        get(R), get(R + 1), shuffle(0, 4, 1, 5), set(T), // a0 b0 a1 b1
        get(R), get(R + 1), shuffle(2, 6, 3, 7), set(T + 1), // a2 b2 a3 b3
        get(R + 2), get(R + 3), shuffle(0, 4, 1, 5), set(T + 2), // c0 d0 c1 d1
        get(R + 2), get(R + 3), shuffle(2, 6, 3, 7), set(T + 3), // c2 d2 c3 d3
        // Column c+j of those rows goes to out row c+j at k (rows K·4 bytes apart).
        get(O), get(T), get(T + 2), shuffle(0, 1, 4, 5), store,
        get(O), get(K4), add, get(T), get(T + 2), shuffle(2, 3, 6, 7), store,
        get(O), get(K4), i32(1), shl, add, get(T + 1), get(T + 3), shuffle(0, 1, 4, 5), store,
        get(O), get(K4), i32(1), shl, add, get(K4), add, get(T + 1), get(T + 3), shuffle(2, 3, 6, 7), store,
        inc(P, 16), get(O), get(K4), i32(2), shl, add, set(O), inc(C, 4),
        br(0),
      )),
      inc(KK, 4),
      br(0),
    )),
  ];
  return assemble(Array(7).fill(I32), [{ name: 'tr', locals: [[6, I32], [8, V128]], code }]);
}

type Fn = (src: number, out: number, K: number, N: number, NC: number, K0: number, K1: number) => void;
interface Kernel { memory: WebAssembly.Memory; tr: Fn }
/** null without wasm SIMD: callers use the scalar loop. */
const instance = lazyKernel<Kernel>(moduleBytes, (e, memory) => ({ memory, tr: e.tr as Fn }));

/** Bytes of W copied into the module's memory at a time (its memory never shrinks: a wide W goes in column blocks). */
const BLOCK_BYTES = 4 << 20;
/** Rows per kernel call: each out row's 64-byte cache lines are completed before moving on. */
const ROW_BLOCK = 16;

/**
 * W [K, N] (its rows' float32 bytes in place) as [N][K], in blocks of whole
 * stored rows, in order; each block's bytes are a view of the module's
 * memory, valid until the next one is asked for. Undefined when the SIMD
 * module is unavailable.
 */
export function transposeF32SimdBlocks(w: StridedRows, K: number, N: number, blockBytes = BLOCK_BYTES): Iterable<Uint8Array> | undefined {
  if (K === 0 || N === 0 || w.offset + (K - 1) * w.stride + N * 4 > w.bytes.length) return undefined;
  const k = instance();
  if (!k) return undefined;
  return blocks(k, w, K, N, blockBytes);
}

function* blocks(k: Kernel, w: StridedRows, K: number, N: number, blockBytes: number): Iterable<Uint8Array> {
  const cols = Math.min(N, Math.max(4, Math.floor(blockBytes / (K * 4)) & ~3));
  const wOff = 0, oOff = K * cols * 4, need = oOff + K * cols * 4;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const { stride, offset } = w;
  const bytes = new Uint8Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength); // not a Buffer: cheaper subarray
  const K4 = K & ~3;
  for (let c0 = 0; c0 < N; c0 += cols) {
    const c1 = Math.min(N, c0 + cols), n = c1 - c0, NC = n & ~3;
    const buf = k.memory.buffer;
    const wm = new Uint8Array(buf, wOff, K * n * 4);
    if (n === N && stride === N * 4) wm.set(bytes.subarray(offset, offset + K * N * 4));
    else for (let r = 0; r < K; r++) wm.set(bytes.subarray(offset + r * stride + c0 * 4, offset + r * stride + c1 * 4), r * n * 4);
    for (let k0 = 0; k0 < K4; k0 += ROW_BLOCK) k.tr(wOff, oOff, K, n, NC, k0, Math.min(K4, k0 + ROW_BLOCK));
    // The edges (last K mod 4 rows, last n mod 4 columns) as 32-bit words: the same bits.
    const v = new Uint32Array(buf, wOff, K * n), out = new Uint32Array(buf, oOff, K * n);
    for (let r = K4; r < K; r++) for (let c = 0; c < n; c++) out[c * K + r] = v[r * n + c];
    for (let c = NC; c < n; c++) for (let r = 0; r < K4; r++) out[c * K + r] = v[r * n + c];
    yield new Uint8Array(buf, oOff, K * n * 4);
  }
}
