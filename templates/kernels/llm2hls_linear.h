// llm2hls kernel: llm.Linear, y = x W + b, row by row. W is stored
// transposed ([N][K], each output's weights contiguous).
//   CFG::rows, CFG::in_dim (K), CFG::out_dim (N), CFG::par (UN: outputs computed
//   in parallel), CFG::kpar (UK: products per output per cycle), CFG::ii (the
//   planned initiation interval of the k loop); types CFG::in_t, CFG::w_t,
//   CFG::acc_t, CFG::out_t
//
// Lanes (the planner's uk x un): the input row arrives in beats of UK elements and each
// group of UN outputs leaves as one beat of UN lanes; the k loop is pipelined at II=CFG::ii and
// unrolled by UK; inside it UN outputs accumulate at once. The row buffer is
// partitioned cyclic by UK, the accumulators by UN, the on-chip weights by UN
// (dim 1) and UK (dim 2). Each output still sums its products in k order
// (acc += x[k] w[n][k], k = 0, 1, ...), the same float additions in the same
// order as one lane, so fp32 results do not depend on the lanes.
//
// Weights: `linear` / `linear_nobias` read W through the m_axi pointer (external
// HBM/DDR, the planner's channel); `linear_onchip_<impl>` (impl = lutram, bram,
// uram: the planner's choice) copy W and b once, on the first invocation, into
// static on-chip arrays (BIND_STORAGE type=ram_2p) and read them from there on
// every later invocation. The pointers are read on that first call only.
#ifndef LLM2HLS_LINEAR_H
#define LLM2HLS_LINEAR_H
#include "llm2hls_types.h"

namespace llm2hls {

/** W[n][k] of a [N][K] weight, from external memory or from an on-chip [N][K] array. */
template <int K, class T>
inline T weight_at(const T *w, int n, int k) { return w[n * K + k]; }
template <int K, class T>
inline T weight_at(const T (*w)[K], int n, int k) { return w[n][k]; }

template <class CFG, bool BIAS, class WP, class BP>
void linear_core(stream<vec<typename CFG::in_t, CFG::kpar> > &in, WP w, BP b, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t acc_t;
  const int K = CFG::in_dim, N = CFG::out_dim, UN = CFG::par, UK = CFG::kpar;
  typename CFG::in_t x[CFG::in_dim];
  LLM2HLS_PARTITION(x, CFG::kpar)
  acc_t acc[CFG::par];
  LLM2HLS_PARTITION(acc, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    // The row arrives in beats of UK elements, one a cycle.
    for (int k0 = 0; k0 < K; k0 += UK) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::kpar> v = in.read();
      LLM2HLS_LOOP_UNROLL(CFG::kpar)
      for (int j = 0; j < UK; j++) {
        LLM2HLS_UNROLL(CFG::kpar)
        if (k0 + j < K) x[k0 + j] = v[j];
      }
    }
    for (int n0 = 0; n0 < N; n0 += UN) {
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int u = 0; u < UN; u++) {
        LLM2HLS_UNROLL(CFG::par)
        acc[u] = 0;
      }
      LLM2HLS_LOOP_UNROLL(CFG::kpar)
      for (int k = 0; k < K; k++) {
        LLM2HLS_PIPELINE_LOOP(CFG::ii)
        LLM2HLS_UNROLL(CFG::kpar)
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int u = 0; u < UN; u++) {
          LLM2HLS_UNROLL(CFG::par)
          if (n0 + u < N) acc[u] += static_cast<acc_t>(x[k]) * static_cast<acc_t>(weight_at<CFG::in_dim>(w, n0 + u, k));
        }
      }
      // One output beat of UN lanes (the padding lanes of a row's last beat are zero).
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int u = 0; u < UN; u++) {
        LLM2HLS_UNROLL(CFG::par)
        acc_t y = 0;
        if (n0 + u < N) {
          y = acc[u];
          if (BIAS) y += static_cast<acc_t>(b[n0 + u]);
        }
        o[u] = static_cast<typename CFG::out_t>(y);
      }
      out.write(o);
    }
  }
}

template <class CFG>
void linear(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w, const typename CFG::w_t *b,
            stream<vec<typename CFG::out_t, CFG::par> > &out) {
  linear_core<CFG, true>(in, w, b, out);
}

template <class CFG>
void linear_nobias(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  linear_core<CFG, false>(in, w, w, out);
}

/** On-chip weights: static [N][K] and [N] arrays in `IMPL` memory, loaded on the first call. */
#define LLM2HLS_LINEAR_ONCHIP(IMPL)                                                                          \
  template <class CFG, bool BIAS>                                                                            \
  void linear_onchip_##IMPL(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w,      \
                            const typename CFG::w_t *b, stream<vec<typename CFG::out_t, CFG::par> > &out) { \
    static typename CFG::w_t wbuf[CFG::out_dim][CFG::in_dim];                                                \
    LLM2HLS_BIND_STORAGE(wbuf, IMPL)                                                                         \
    LLM2HLS_PARTITION_DIM(wbuf, CFG::par, 1)                                                                 \
    LLM2HLS_PARTITION_DIM(wbuf, CFG::kpar, 2)                                                                \
    static typename CFG::w_t bbuf[CFG::out_dim];                                                             \
    LLM2HLS_PARTITION(bbuf, CFG::par)                                                                        \
    static bool loaded = false;                                                                              \
    if (!loaded) {                                                                                           \
      for (int i = 0; i < CFG::out_dim * CFG::in_dim; i++) {                                                 \
        LLM2HLS_PIPELINE_LOOP(1)                                                                             \
        wbuf[i / CFG::in_dim][i % CFG::in_dim] = w[i];                                                       \
      }                                                                                                      \
      for (int n = 0; n < CFG::out_dim; n++) {                                                               \
        LLM2HLS_PIPELINE_LOOP(1)                                                                             \
        bbuf[n] = BIAS ? b[n] : typename CFG::w_t(0);                                                        \
      }                                                                                                      \
      loaded = true;                                                                                         \
    }                                                                                                        \
    linear_core<CFG, BIAS>(in, static_cast<const typename CFG::w_t(*)[CFG::in_dim]>(wbuf),                  \
                           static_cast<const typename CFG::w_t *>(bbuf), out);                               \
  }
LLM2HLS_LINEAR_ONCHIP(lutram)
LLM2HLS_LINEAR_ONCHIP(bram)
LLM2HLS_LINEAR_ONCHIP(uram)
#undef LLM2HLS_LINEAR_ONCHIP

}  // namespace llm2hls
#endif
