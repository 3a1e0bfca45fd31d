/**
 * A faster float llm.Linear for float32 x and W: WebAssembly SIMD (f64x2)
 * over stripes of W's columns, with exactly the arithmetic of the scalar
 * kernel in linear.ts: every output sums x[k]·w[k, j] in float64 in k order
 * starting from 0 (each f64x2 lane is one column; wasm never fuses a
 * multiply and an add), and the bias is added afterwards in float64. The
 * results are therefore bit-identical; it only runs 2-4x faster (it
 * dominates calibration of a large model, docs/performance.md).
 *
 * The module is assembled below from its instructions (no toolchain).
 * Exported lin(x, w, o, rows, K, S): x: rows·K float64 (rows a multiple of
 * 4), w: K·S float32 (a stripe of S columns, S a multiple of 4), o: rows·S
 * float64; four rows × four columns per pass over k (eight f64x2 accumulators).
 */
import type { StridedRows } from '../tensor.js';
import { add, assemble, block, br, brIf, get, geu, I32, i32, inc, lazyKernel, loop, memarg, mul, set, shl, simd, V128 } from '../wasm/asm.js';
import { FileRows, STAGE_MAX, WAIT_MS, fileRows, spanOf } from '../helper-worker.js';


function moduleBytes(): Uint8Array {
  const v128load = (off: number) => simd(0x00, ...memarg(2, off));
  const load64Splat = (off: number) => simd(0x0a, ...memarg(3, off));
  const v128store = (off: number) => simd(0x0b, ...memarg(3, off));
  const promoteLow = simd(0x5f), f64x2Add = simd(0xf0), f64x2Mul = simd(0xf2);
  const highToLow = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  // Params 0 x, 1 w, 2 o, 3 rows, 4 K, 5 S; i32 locals 6 rb, 7 j, 8 k, 9-12 p0..p3 (x rows), 13 pw, 14 K·8, 15 S·4,
  // 16 po, 17 S·8; v128 locals 18 w (4 x f32), 19 w01, 20 w23 (f64x2), 21 x splat, 22..29 acc[row][half].
  const X = 0, W = 1, O = 2, ROWS = 3, K = 4, S = 5, RB = 6, J = 7, KK = 8, P0 = 9, PW = 13, K8 = 14, S4 = 15, PO = 16, S8 = 17;
  const WV = 18, W01 = 19, W23 = 20, XS = 21, ACC = 22;
  const incBy = (l: number, by: number) => [...get(l), ...get(by), ...add, ...set(l)];
  const rows4 = [0, 1, 2, 3];
  const code = [
    ...get(K), ...i32(3), ...shl, ...set(K8), ...get(S), ...i32(2), ...shl, ...set(S4), ...get(S), ...i32(3), ...shl, ...set(S8),
    ...i32(0), ...set(RB),
    ...block(loop(
      get(RB), get(ROWS), geu, brIf(1),
      i32(0), set(J),
      block(loop(
        get(J), get(S), geu, brIf(1),
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((a) => [...zero, ...set(ACC + a)]),
        get(X), get(RB), get(K8), mul, add, set(P0),
        ...[1, 2, 3].map((r) => [...get(P0 + r - 1), ...get(K8), ...add, ...set(P0 + r)]),
        get(W), get(J), i32(2), shl, add, set(PW),
        i32(0), set(KK),
        block(loop(
          get(KK), get(K), geu, brIf(1),
          get(PW), v128load(0), set(WV),
          get(WV), promoteLow, set(W01),
          get(WV), get(WV), highToLow, promoteLow, set(W23),
          ...rows4.map((r) => [
            ...get(P0 + r), ...load64Splat(0), ...set(XS),
            ...get(ACC + 2 * r), ...get(XS), ...get(W01), ...f64x2Mul, ...f64x2Add, ...set(ACC + 2 * r),
            ...get(ACC + 2 * r + 1), ...get(XS), ...get(W23), ...f64x2Mul, ...f64x2Add, ...set(ACC + 2 * r + 1),
            ...inc(P0 + r, 8),
          ]),
          incBy(PW, S4), inc(KK, 1),
          br(0),
        )),
        get(O), get(RB), get(S), mul, get(J), add, i32(3), shl, add, set(PO),
        ...rows4.map((r) => [
          ...get(PO), ...get(ACC + 2 * r), ...v128store(0),
          ...get(PO), ...get(ACC + 2 * r + 1), ...v128store(16),
          ...incBy(PO, S8),
        ]),
        inc(J, 4),
        br(0),
      )),
      inc(RB, 4),
      br(0),
    )),
  ];
  return assemble(Array(6).fill(I32), [{ name: 'lin', locals: [[12, I32], [12, V128]], code }]);
}

/** Columns per stripe of W copied into the module's memory. */
const STRIPE = 64;

export interface Kernel { memory: WebAssembly.Memory; lin: (x: number, w: number, o: number, rows: number, K: number, S: number) => void }
/** null without wasm SIMD: callers use the scalar kernel. */
const instance = lazyKernel<Kernel>(moduleBytes, (e, memory) => ({ memory, lin: e.lin as Kernel['lin'] }));

/**
 * out[r, j] = conv(Σ_k x[r, k]·W[k, j] (+ b[j])) for x [rows, K] float32 and
 * W [K, N] given as its little-endian float32 bytes (any alignment: e.g. a
 * view of the model file), or its rows' bytes with a row stride (Tensor.rawRows:
 * a column slice of a wider weight in the file). Returns false (and does nothing) when the SIMD
 * module is unavailable.
 */
export function linearSimd(x: Float32Array, w: Uint8Array | StridedRows, b: ArrayLike<number> | undefined, out: { [i: number]: number },
  rows: number, K: number, N: number, conv: (v: number) => number): boolean {
  const rowsOfW = w instanceof Uint8Array ? { bytes: w, stride: N * 4, offset: 0 } : w, { stride, offset } = rowsOfW;
  // A plain Uint8Array over the same bytes: a Node Buffer's subarray (one per row and stripe below) costs several times more.
  const bytes = new Uint8Array(rowsOfW.bytes.buffer, rowsOfW.bytes.byteOffset, rowsOfW.bytes.byteLength);
  const k = instance();
  if (!k || rows === 0 || K === 0 || N === 0) return false;
  const inFile = helper && Math.ceil(N / STRIPE) >= MIN_SHARED_STRIPES ? fileRows(rowsOfW) : undefined;
  if (helper && inFile) {
    // A W too large for the worker's staging buffer (the LM head) is claimed a block of stripes at
    // a time, which the worker reads from the file a block of columns at a time.
    const unit = spanOf(inFile, K, N) <= STAGE_MAX ? 1 : Math.max(1, Math.floor(UNIT_BYTES / (K * STRIPE * 4)));
    linearShared(k, helper, inFile, unit, { bytes, stride, offset }, x, b, out, rows, K, N, conv);
    return true;
  }
  const R = (rows + 3) & ~3;
  const xOff = 0, wOff = R * K * 8, oOff = wOff + K * STRIPE * 4, need = oOff + R * STRIPE * 8;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const buf = k.memory.buffer;
  const x64 = new Float64Array(buf, xOff, R * K);
  for (let i = 0; i < rows * K; i++) x64[i] = x[i];
  x64.fill(0, rows * K);
  const wm = new Uint8Array(buf, wOff, K * STRIPE * 4), om = new Float64Array(buf, oOff, R * STRIPE);
  for (let j0 = 0; j0 < N; j0 += STRIPE) {
    const j1 = Math.min(N, j0 + STRIPE), n = j1 - j0, S = (n + 3) & ~3;
    // Stripes are copied (not read in place with W's row stride): rows a power-of-two multiple of
    // 4 KiB apart would all map to the same cache sets (measured 2x slower).
    for (let kk = 0; kk < K; kk++) wm.set(bytes.subarray(offset + kk * stride + j0 * 4, offset + kk * stride + j1 * 4), kk * S * 4);
    k.lin(xOff, wOff, oOff, R, K, S);
    for (let r = 0; r < rows; r++) {
      const a = r * S, o = r * N + j0;
      if (b) for (let j = 0; j < n; j++) out[o + j] = conv(om[a + j] + b[j0 + j]);
      else for (let j = 0; j < n; j++) out[o + j] = conv(om[a + j]);
    }
  }
  return true;
}

/**
 * Calibration of a large model on two cores (compiler/helper-worker.ts): W's 64-column stripes
 * are claimed one at a time (or `unit` at a time) by this thread and the helper worker (columns are independent and
 * each thread runs the same kernel on the same bytes, so every sum is the one computed here
 * alone); this thread then adds the bias and converts, exactly as above.
 */
export interface LinearStripesRequest {
  kind: 'linear';
  /** W's rows in the model file (the worker reads them from there). */
  w: FileRows;
  /** x as float64, R·K (R = rows rounded up to 4, zero-padded). */
  x: SharedArrayBuffer;
  /** Σ_k x[r, k]·W[k, j] at r·N + j, for r < rows. */
  sums: SharedArrayBuffer;
  /** [0]: next unit (`unit` stripes) to claim; [1 + s]: 1 once stripe s is in sums. */
  ctl: SharedArrayBuffer;
  /** Stripes per claim: 1, or more for a W the worker stages a block of columns at a time. */
  unit: number;
  rows: number; K: number; N: number;
}

/** Where linearSimd sends stripes for the helper worker, while one runs (set by quantizeModel). */
let helper: ((req: LinearStripesRequest) => void) | undefined;
export function setLinearHelper(post: ((req: LinearStripesRequest) => void) | undefined): void { helper = post; }
/** Narrower W (fewer stripes) are not worth a message to the worker. */
const MIN_SHARED_STRIPES = 8;
/** About this many bytes of W per claim when the worker stages W by blocks of columns. */
const UNIT_BYTES = 4 << 20;

function linearShared(k: Kernel, post: (req: LinearStripesRequest) => void, w: FileRows, unit: number, local: StridedRows, x: Float32Array,
  b: ArrayLike<number> | undefined, out: { [i: number]: number }, rows: number, K: number, N: number, conv: (v: number) => number): void {
  const R = (rows + 3) & ~3, stripes = Math.ceil(N / STRIPE);
  const req: LinearStripesRequest = {
    kind: 'linear', w, unit, rows, K, N,
    x: new SharedArrayBuffer(R * K * 8), sums: new SharedArrayBuffer(rows * N * 8), ctl: new SharedArrayBuffer((1 + stripes) * 4),
  };
  const x64 = new Float64Array(req.x);
  for (let i = 0; i < rows * K; i++) x64[i] = x[i];
  post(req);
  runStripes(k, req, local);
  const ctl = new Int32Array(req.ctl);
  // After one timeout (a stuck or dead worker: it may hold a whole unit of stripes) the rest are not waited for.
  let wait = WAIT_MS;
  for (let s = 0; s < stripes; s++) {
    if (Atomics.wait(ctl, 1 + s, 0, wait) === 'timed-out') { wait = 0; runStripes(k, req, local, s); }
  }
  const sums = new Float64Array(req.sums);
  for (let r = 0; r < rows; r++) {
    const o = r * N;
    if (b) for (let j = 0; j < N; j++) out[o + j] = conv(sums[o + j] + b[j]);
    else for (let j = 0; j < N; j++) out[o + j] = conv(sums[o + j]);
  }
}

/** W's columns [col0, ...) as rows: column j of W is at offset + k·stride + (j − col0)·4. */
export interface ColumnRows extends StridedRows { col0: number }
/** The columns [j0, j1) of W, read by the caller (the helper worker stages a block at a time). */
export type StageColumns = (j0: number, j1: number) => ColumnRows;

/**
 * Claims and computes stripes of `req` until none is left (or just stripe `only`): used by
 * this thread and by the helper worker (helper-worker-main.ts). `w` is all of W, or a function
 * giving each claimed unit's columns.
 */
export function runStripes(k: Kernel, req: LinearStripesRequest, w: StridedRows | StageColumns, only?: number): void {
  const { rows, K, N, unit } = req;
  const R = (rows + 3) & ~3, stripes = Math.ceil(N / STRIPE);
  const xOff = 0, wOff = R * K * 8, oOff = wOff + K * STRIPE * 4, need = oOff + R * STRIPE * 8;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const buf = k.memory.buffer;
  new Float64Array(buf, xOff, R * K).set(new Float64Array(req.x));
  const wm = new Uint8Array(buf, wOff, K * STRIPE * 4), om = new Float64Array(buf, oOff, R * STRIPE);
  const ctl = new Int32Array(req.ctl), sums = new Float64Array(req.sums);
  for (;;) {
    const s0 = only ?? Atomics.add(ctl, 0, 1) * unit, s1 = only !== undefined ? only + 1 : Math.min(stripes, s0 + unit);
    if (s0 >= stripes) return;
    const cw = typeof w === 'function' ? w(s0 * STRIPE, Math.min(N, s1 * STRIPE)) : { ...w, col0: 0 };
    const bytes = new Uint8Array(cw.bytes.buffer, cw.bytes.byteOffset, cw.bytes.byteLength), { stride } = cw, offset = cw.offset - cw.col0 * 4;
    for (let s = s0; s < s1; s++) {
      const j0 = s * STRIPE, j1 = Math.min(N, j0 + STRIPE), n = j1 - j0, S = (n + 3) & ~3;
      for (let kk = 0; kk < K; kk++) wm.set(bytes.subarray(offset + kk * stride + j0 * 4, offset + kk * stride + j1 * 4), kk * S * 4);
      k.lin(xOff, wOff, oOff, R, K, S);
      for (let r = 0; r < rows; r++) sums.set(om.subarray(r * S, r * S + n), r * N + j0);
      Atomics.store(ctl, 1 + s, 1);
      Atomics.notify(ctl, 1 + s);
    }
    if (only !== undefined) return;
  }
}

/** The helper worker's side of a shared Linear (false: no SIMD module; this thread then computes every stripe). */
export function linearStripesWorker(req: LinearStripesRequest, w: StridedRows | StageColumns): boolean {
  const k = instance();
  if (!k) return false;
  runStripes(k, req, w);
  return true;
}
