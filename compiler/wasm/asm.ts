/**
 * A tiny WebAssembly assembler for the project's SIMD kernels
 * (compiler/kernels/linear-simd.ts, compiler/numerics/quantize-simd.ts,
 * maxabs-simd.ts, backend-hls/transpose-simd.ts): binary encoders, the
 * instructions those kernels use, one module layout (functions of one type
 * that share an imported memory `env.mem`), and lazy instantiation. Writing
 * the bytes here keeps the build free of a wasm toolchain.
 */

/** Unsigned LEB128. */
export const leb = (n: number): number[] => {
  const out: number[] = [];
  do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n);
  return out;
};

/** Signed LEB128 (i32.const immediates). */
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { out.push(b); return out; }
    out.push(b | 0x80);
  }
};

const str = (s: string): number[] => [...leb(s.length), ...Array.from(Buffer.from(s))];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Instructions: each returns its encoding, so code reads as nested arrays.
export const get = (i: number) => [0x20, ...leb(i)];
export const set = (i: number) => [0x21, ...leb(i)];
export const i32 = (n: number) => [0x41, ...sleb(n)];
export const add = [0x6a], mul = [0x6c], shl = [0x74], geu = [0x4f];
export const simd = (op: number, ...imm: number[]) => [0xfd, ...leb(op), ...imm];
export const memarg = (align: number, off: number) => [...leb(align), ...leb(off)];
export const block = (...body: number[][]) => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
export const brIf = (depth: number) => [0x0d, ...leb(depth)];
export const br = (depth: number) => [0x0c, ...leb(depth)];
/** local += n */
export const inc = (local: number, n: number) => [...get(local), ...i32(n), ...add, ...set(local)];

export const I32 = 0x7f, F64 = 0x7c, V128 = 0x7b;

export interface WasmFunction {
  /** Export name. */
  name: string;
  /** Local groups after the parameters, e.g. [[6, I32], [8, V128]]. */
  locals: [number, number][];
  code: number[];
}

/** A module of functions sharing one signature (`params`, no results) and the imported memory env.mem. */
export function assemble(params: number[], functions: WasmFunction[]): Uint8Array {
  const body = (f: WasmFunction) => {
    const b = [...leb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...leb(n), t]), ...f.code, 0x0b];
    return [...leb(b.length), ...b];
  };
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...leb(params.length), ...params, 0]),
    ...section(2, [1, ...str('env'), ...str('mem'), 0x02, 0x00, 1]),
    ...section(3, [...leb(functions.length), ...functions.map(() => 0)]),
    ...section(7, [...leb(functions.length), ...functions.flatMap((f, i) => [...str(f.name), 0x00, ...leb(i)])]),
    ...section(10, [...leb(functions.length), ...functions.flatMap(body)]),
  ]);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Instantiates a module once, on first use. Returns null when WebAssembly
 * SIMD is unavailable or the host is big-endian (the kernels read
 * little-endian file bytes in place): callers then use their scalar loops.
 */
export function lazyKernel<T>(build: () => Uint8Array, bind: (exports: WebAssembly.Exports, memory: WebAssembly.Memory) => T): () => T | null {
  let kernel: T | null | undefined;
  return () => {
    if (kernel === undefined) {
      try {
        if (!LITTLE_ENDIAN) throw new Error('big-endian host');
        const memory = new WebAssembly.Memory({ initial: 1 });
        const inst = new WebAssembly.Instance(new WebAssembly.Module(build() as Uint8Array<ArrayBuffer>), { env: { mem: memory } });
        kernel = bind(inst.exports, memory);
      } catch {
        kernel = null;
      }
    }
    return kernel;
  };
}
