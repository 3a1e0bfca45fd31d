/**
 * max |w| per channel of a float32 weight matrix, in WebAssembly SIMD,
 * reading its little-endian bytes in place (any alignment, any row stride:
 * a view of the model file, or a column slice of one), so the scales pass
 * of weight quantization needs no decoded copy of each weight
 * (docs/performance.md).
 *
 * Same result as quantize.ts's scalar loop (`if (|w| > m || |w| is NaN)
 * m = |w|`, from m = 0): f32x4.max propagates NaN as that loop does (a NaN
 * weight must reach scalesOf, which refuses it), and the maximum of float32
 * magnitudes is one of them, exact in float32 (test/numerics/maxabs-simd.test.ts).
 *
 * The module is assembled below from its instructions (no toolchain), like
 * quantize-simd.ts. Exports, for `rows` rows of C float32 (C4 = C rounded
 * down to a multiple of 4, the last C − C4 columns are the caller's):
 *   colmax(src, m, rows, C, C4): m[c] = max(m[c], |src[r, c]|) for c < C4
 *   rowmax(src, m, rows, C, C4): m[4r .. 4r+3] = lane maxima of |src[r, 0 .. C4)|
 */
import type { StridedRows } from '../tensor.js';
import { add, assemble, block, br, brIf, get, geu, I32, i32, inc, lazyKernel, loop, mul, set, shl, simd, V128 } from '../wasm/asm.js';


function moduleBytes(): Uint8Array {
  const load = simd(0x00, 0, 0), store = simd(0x0b, 0, 0);
  const abs = simd(0xe0), max = simd(0xe9);
  const zero = simd(0x0c, ...new Array<number>(16).fill(0));
  // Params 0 src, 1 m, 2 rows, 3 C, 4 C4; i32 locals 5 r, 6 c, 7 p, 8 q; v128 local 9 acc.
  const SRC = 0, M = 1, ROWS = 2, C = 3, C4 = 4, R = 5, CC = 6, P = 7, Q = 8, ACC = 9;
  const rowStart = [...get(SRC), ...get(R), ...get(C), ...mul, ...i32(2), ...shl, ...add, ...set(P), ...i32(0), ...set(CC)];
  const colmax = [
    ...i32(0), ...set(R),
    ...block(loop(
      get(R), get(ROWS), geu, brIf(1),
      rowStart, get(M), set(Q),
      block(loop(
        get(CC), get(C4), geu, brIf(1),
        get(Q), get(Q), load, get(P), load, abs, max, store,
        inc(P, 16), inc(Q, 16), inc(CC, 4),
        br(0),
      )),
      inc(R, 1),
      br(0),
    )),
  ];
  const rowmax = [
    ...i32(0), ...set(R),
    ...block(loop(
      get(R), get(ROWS), geu, brIf(1),
      rowStart, zero, set(ACC),
      block(loop(
        get(CC), get(C4), geu, brIf(1),
        get(ACC), get(P), load, abs, max, set(ACC),
        inc(P, 16), inc(CC, 4),
        br(0),
      )),
      get(M), get(R), i32(4), shl, add, get(ACC), store,
      inc(R, 1),
      br(0),
    )),
  ];
  const locals: [number, number][] = [[4, I32], [1, V128]];
  return assemble(Array(5).fill(I32), [{ name: 'colmax', locals, code: colmax }, { name: 'rowmax', locals, code: rowmax }]);
}

type Fn = (src: number, m: number, rows: number, C: number, C4: number) => void;
interface Kernel { memory: WebAssembly.Memory; colmax: Fn; rowmax: Fn }
/** null without wasm SIMD: callers use the scalar loops. */
const instance = lazyKernel<Kernel>(moduleBytes, (e, memory) => ({ memory, colmax: e.colmax as Fn, rowmax: e.rowmax as Fn }));

/** Bytes of weights copied into the module's memory at a time (its memory never shrinks). */
const BLOCK_BYTES = 4 << 20;


/**
 * max |w| per column (axis 1) or per row (axis 0) of the [R, C] float32
 * matrix whose rows are `w` (Tensor.rawRows) into maxAbs (from 0; NaN ignored). False (maxAbs untouched)
 * when the SIMD module is unavailable.
 */
export function channelMaxAbsSimd(w: StridedRows, R: number, C: number, axis: 0 | 1, maxAbs: Float64Array,
  blockBytes = BLOCK_BYTES): boolean {
  const k = instance();
  if (!k) return false;
  if (R === 0 || C === 0) return true;
  const rowsPerBlock = Math.max(1, Math.floor(blockBytes / (C * 4)));
  const C4 = C & ~3;
  const mBytes = axis === 1 ? C4 * 4 : rowsPerBlock * 16;
  const mOff = 0, wOff = (mBytes + 15) & ~15, need = wOff + rowsPerBlock * C * 4;
  if (k.memory.buffer.byteLength < need) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
  const buf = k.memory.buffer;
  const m = new Float32Array(buf, mOff, mBytes / 4);
  m.fill(0);
  const wm = new Uint8Array(buf, wOff, rowsPerBlock * C * 4);
  const v = new Float32Array(buf, wOff, rowsPerBlock * C);
  const { stride, offset } = w;
  const bytes = new Uint8Array(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength); // not a Buffer: cheaper subarray
  for (let r0 = 0; r0 < R; r0 += rowsPerBlock) {
    const rows = Math.min(R, r0 + rowsPerBlock) - r0;
    if (stride === C * 4) wm.set(bytes.subarray(offset + r0 * stride, offset + (r0 + rows) * stride));
    else for (let r = 0; r < rows; r++) wm.set(bytes.subarray(offset + (r0 + r) * stride, offset + (r0 + r) * stride + C * 4), r * C * 4);
    if (axis === 1) {
      k.colmax(wOff, mOff, rows, C, C4);
      for (let r = 0; r < rows; r++) {
        for (let c = C4; c < C; c++) { const a = Math.abs(v[r * C + c]); if (a > maxAbs[c] || a !== a) maxAbs[c] = a; }
      }
    } else {
      k.rowmax(wOff, mOff, rows, C, C4);
      for (let r = 0; r < rows; r++) {
        let best = maxAbs[r0 + r];
        for (let l = 0; l < 4; l++) if (m[r * 4 + l] > best || m[r * 4 + l] !== m[r * 4 + l]) best = m[r * 4 + l];
        for (let c = C4; c < C; c++) { const a = Math.abs(v[r * C + c]); if (a > best || a !== a) best = a; }
        maxAbs[r0 + r] = best;
      }
    }
  }
  if (axis === 1) for (let c = 0; c < C4; c++) if (m[c] > maxAbs[c] || m[c] !== m[c]) maxAbs[c] = m[c];
  return true;
}
