/**
 * What differs between HLS tools, in one small object per target over one
 * emitter (the tinygrad renderer habit): element types, the stream class,
 * pragma spellings, which pragmas exist at all, and where they go.
 *
 * Every pragma here follows the tool's documented form:
 *  - Vitis HLS, UG1399 "HLS Pragmas": `#pragma HLS INTERFACE mode=axis|m_axi|s_axilite port=P
 *    [offset=slave bundle=B depth=N]`, `#pragma HLS DATAFLOW`, `#pragma HLS PIPELINE II=N`,
 *    `#pragma HLS ARRAY_PARTITION variable=V type=cyclic factor=N dim=1`,
 *    `#pragma HLS STREAM variable=V depth=N`, `#pragma HLS UNROLL factor=N`,
 *    `#pragma HLS BIND_STORAGE variable=V type=ram_2p impl=lutram|bram|uram` (in the body of the
 *    function that defines the array). Pragma values may be compile-time constants such as a
 *    kernel config's `CFG::par` (the hls4ml `CONFIG_T::reuse_factor` habit). Arguments sharing a bundle share one
 *    m_axi adapter (UG1448 "Interface Pragma Options").
 *  - Bambu (PandA, documentation/bambu101/Axi4): `#pragma HLS interface port=P mode=m_axi
 *    offset=direct bundle=B` written before the function; ac_int/ac_fixed/ac_channel types;
 *    no ARRAY_PARTITION and no stream-depth pragma; pipelining applies to whole functions
 *    (`#pragma HLS pipeline` in a function body), not loops. Loop unrolling uses clang's
 *    `#pragma unroll (N)` (Bambu's front end is clang).
 * Identifiers passed in are already sanitized (sanitize.ts).
 */

export type TargetName = 'vitis' | 'bambu';

export interface PortPragmaInput {
  /** Sanitized argument name. */
  port: string;
  kind: 'axis' | 'm_axi';
  /** m_axi only. */
  bundle?: string;
  /** m_axi only: elements behind the pointer (used by cosim to size the memory model). */
  depth?: number;
}

export interface Dialect {
  name: TargetName;
  /** Macro the tool flow defines (TCL cflags / bambu -D) to select the vendor types. */
  defineMacro: string;
  /** Lines of llm2hls_types.h between the `#else` of the host branch and its `#endif`. */
  typeHeader: string[];
  /** Pragmas written right before the top function definition. */
  beforeTop(ports: PortPragmaInput[]): string[];
  /** Pragmas at the start of the top function body. */
  insideTop(ports: PortPragmaInput[]): string[];
  /** Pragmas after a stream declaration in the dataflow region. */
  streamDepth(variable: string, depth: number): string[];
  /** Loop pipelining pragma (empty when the tool pipelines whole functions only). */
  loopPipeline(ii: number): string[];
  /** Array partitioning pragma (empty when unsupported). */
  arrayPartition(variable: string, factor: number): string[];
  /** Whole-function pipelining (empty when the tool pipelines loops instead). */
  functionPipeline(): string[];
  /** Bodies of the kernel-library pragma macros, as `_Pragma` strings or empty. */
  kernelMacros: {
    pipelineLoop: string; unroll: string; unrollBefore: string; partition: string; partitionDim: string; partitionComplete: string; bindStorage: string; pipelineFunction: string;
  };
}

const vitis: Dialect = {
  name: 'vitis',
  defineMacro: 'LLM2HLS_TARGET_VITIS',
  typeHeader: [
    '#include <ap_int.h>',
    '#include <ap_fixed.h>',
    '#include <hls_stream.h>',
    '#include <hls_math.h>',
    '#include <hls_vector.h>',
    'namespace llm2hls {',
    'template <class T> using stream = hls::stream<T>;',
    '/* A stream beat of N lanes: the SIMD vector type of UG1399 "HLS Vector Library". */',
    'template <class T, int N> using vec = hls::vector<T, N>;',
    '/* Signed fixed point: W bits, I integer bits, round half to even, saturate. */',
    'template <int W, int I> using fixed = ap_fixed<W, I, AP_RND_CONV, AP_SAT>;',
    'template <int W> using sint = ap_int<W>;',
    'template <int W> inline long long to_i64(const ap_int<W> &v) { return v.to_int64(); }',
    'template <class T> inline long long to_i64(T v) { return static_cast<long long>(v); }',
    'template <int W> inline long long to_host(const ap_int<W> &v) { return v.to_int64(); }',
    'template <class T> inline T to_host(T v) { return v; }',
    'namespace math {',
    'inline float exp(float x) { return hls::exp(x); }',
    'inline float sqrt(float x) { return hls::sqrt(x); }',
    'inline float tanh(float x) { return hls::tanh(x); }',
    '} // namespace math',
    '} // namespace llm2hls',
  ],
  beforeTop: () => [],
  insideTop(ports) {
    const lines: string[] = [];
    for (const p of ports) {
      if (p.kind === 'axis') lines.push(`#pragma HLS INTERFACE mode=axis port=${p.port}`);
      else {
        lines.push(`#pragma HLS INTERFACE mode=m_axi port=${p.port} offset=slave bundle=${p.bundle} depth=${p.depth}`);
        lines.push(`#pragma HLS INTERFACE mode=s_axilite port=${p.port}`);
      }
    }
    lines.push('#pragma HLS INTERFACE mode=s_axilite port=return');
    lines.push('#pragma HLS DATAFLOW');
    return lines;
  },
  streamDepth: (variable, depth) => [`#pragma HLS STREAM variable=${variable} depth=${depth}`],
  loopPipeline: (ii) => [`#pragma HLS PIPELINE II=${ii}`],
  arrayPartition: (variable, factor) => [`#pragma HLS ARRAY_PARTITION variable=${variable} type=cyclic factor=${factor} dim=1`],
  functionPipeline: () => [],
  kernelMacros: {
    pipelineLoop: '_Pragma(LLM2HLS_STR(HLS PIPELINE II=ii))',
    unroll: '_Pragma(LLM2HLS_STR(HLS UNROLL factor=n))',
    unrollBefore: '',
    partition: '_Pragma(LLM2HLS_STR(HLS ARRAY_PARTITION variable=v type=cyclic factor=n dim=1))',
    partitionDim: '_Pragma(LLM2HLS_STR(HLS ARRAY_PARTITION variable=v type=cyclic factor=n dim=d))',
    partitionComplete: '_Pragma(LLM2HLS_STR(HLS ARRAY_PARTITION variable=v type=complete dim=1))',
    bindStorage: '_Pragma(LLM2HLS_STR(HLS BIND_STORAGE variable=v type=ram_2p impl=mem))',
    pipelineFunction: '',
  },
};

const bambu: Dialect = {
  name: 'bambu',
  defineMacro: 'LLM2HLS_TARGET_BAMBU',
  typeHeader: [
    '#include <ac_int.h>',
    '#include <ac_fixed.h>',
    '#include <ac_channel.h>',
    '#include <math.h>',
    'namespace llm2hls {',
    'template <class T> using stream = ac_channel<T>;',
    '/* A stream beat of N lanes (lane 0 first in element order). */',
    'template <class T, int N> struct vec {',
    '  T v[N];',
    '  T &operator[](int i) { return v[i]; }',
    '  const T &operator[](int i) const { return v[i]; }',
    '};',
    '/* Signed fixed point: W bits, I integer bits, round half to even, saturate. */',
    'template <int W, int I> using fixed = ac_fixed<W, I, true, AC_RND_CONV, AC_SAT>;',
    'template <int W> using sint = ac_int<W, true>;',
    'template <int W> inline long long to_i64(const ac_int<W, true> &v) { return v.to_int64(); }',
    'template <class T> inline long long to_i64(T v) { return static_cast<long long>(v); }',
    'template <int W> inline long long to_host(const ac_int<W, true> &v) { return v.to_int64(); }',
    'template <class T> inline T to_host(T v) { return v; }',
    'namespace math {',
    'inline float exp(float x) { return expf(x); }',
    'inline float sqrt(float x) { return sqrtf(x); }',
    'inline float tanh(float x) { return tanhf(x); }',
    '} // namespace math',
    '} // namespace llm2hls',
  ],
  beforeTop(ports) {
    // Bambu reads interface pragmas placed before the function (bambu101 Axi4 exercises).
    return ports.map((p) => (p.kind === 'axis'
      ? `#pragma HLS interface port=${p.port} mode=axis`
      : `#pragma HLS interface port=${p.port} mode=m_axi offset=direct bundle=${p.bundle}`));
  },
  // Bambu drives the top with its own start/done handshake (no s_axilite); it has no
  // stream-depth pragma, so FIFO sizing is left to the tool.
  insideTop: () => ['#pragma HLS dataflow'],
  streamDepth: () => [],
  loopPipeline: () => [],
  arrayPartition: () => [],
  functionPipeline: () => ['#pragma HLS pipeline'],
  kernelMacros: {
    pipelineLoop: '',
    // Bambu compiles C++ through clang/LLVM: clang's loop pragma `#pragma unroll (N)`, written
    // right before the loop, sets the unroll count LLVM's loop unroller applies. Bambu has no
    // array partitioning or storage binding pragma, so the lanes rest on unrolling only.
    unroll: '',
    unrollBefore: '_Pragma(LLM2HLS_STR(unroll (n)))',
    partition: '',
    partitionDim: '',
    partitionComplete: '',
    bindStorage: '',
    pipelineFunction: '_Pragma("HLS pipeline")',
  },
};

export const DIALECTS: Record<TargetName, Dialect> = { vitis, bambu };

export function dialectFor(target: string): Dialect {
  const d = DIALECTS[target as TargetName];
  if (!d) throw new Error(`unknown HLS target '${target}'`);
  return d;
}
