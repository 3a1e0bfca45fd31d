// llm2hls kernels: llm.LayerNorm and llm.RMSNorm over each row of CFG::dim.
//   LayerNorm: (x - mean) / sqrt(var + eps) * gamma + beta, var biased
//   RMSNorm:   x / sqrt(mean(x^2) + eps) * gamma
//   CFG::rows, CFG::dim, CFG::par, CFG::eps; types CFG::in_t, CFG::p_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_NORM_H
#define LLM2HLS_NORM_H
#include "llm2hls_types.h"

namespace llm2hls {

// Lanes: CFG::par elements a beat, rows of CFG::dim in ceil(dim / par) beats; the row buffer is
// partitioned cyclic by par. The float sums add the lanes of a beat in element order, the same
// float additions as one lane (fp32 checks structure, not hardware: docs/backend-hls.md).
template <class CFG, bool BETA>
void layernorm_impl(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma, const typename CFG::p_t *beta,
                    stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t acc_t;
  const int L = CFG::par, D = CFG::dim;
  acc_t x[CFG::dim];
  LLM2HLS_PARTITION(x, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    acc_t sum = 0;
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        if (d0 + j < D) {
          x[d0 + j] = static_cast<acc_t>(v[j]);
          sum += x[d0 + j];
        }
      }
    }
    const acc_t mean = sum / static_cast<acc_t>(CFG::dim);
    acc_t sq = 0;
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        if (d0 + j < D) {
          const acc_t c = x[d0 + j] - mean;
          sq += c * c;
        }
      }
    }
    const acc_t inv = static_cast<acc_t>(1) / math::sqrt(sq / static_cast<acc_t>(CFG::dim) + static_cast<acc_t>(CFG::eps));
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const int d = d0 + j;
        acc_t y = 0;
        if (d < D) {
          y = (x[d] - mean) * inv * static_cast<acc_t>(gamma[d]);
          if (BETA) y += static_cast<acc_t>(beta[d]);
        }
        o[j] = static_cast<typename CFG::out_t>(y);
      }
      out.write(o);
    }
  }
}

template <class CFG>
void layernorm(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma, const typename CFG::p_t *beta,
               stream<vec<typename CFG::out_t, CFG::par> > &out) {
  layernorm_impl<CFG, true>(in, gamma, beta, out);
}

template <class CFG>
void layernorm_nobeta(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma,
                      stream<vec<typename CFG::out_t, CFG::par> > &out) {
  layernorm_impl<CFG, false>(in, gamma, gamma, out);
}

template <class CFG>
void rmsnorm(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t acc_t;
  const int L = CFG::par, D = CFG::dim;
  acc_t x[CFG::dim];
  LLM2HLS_PARTITION(x, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    acc_t sq = 0;
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        if (d0 + j < D) {
          x[d0 + j] = static_cast<acc_t>(v[j]);
          sq += x[d0 + j] * x[d0 + j];
        }
      }
    }
    const acc_t inv = static_cast<acc_t>(1) / math::sqrt(sq / static_cast<acc_t>(CFG::dim) + static_cast<acc_t>(CFG::eps));
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const int d = d0 + j;
        o[j] = static_cast<typename CFG::out_t>(d < D ? x[d] * inv * static_cast<acc_t>(gamma[d]) : acc_t(0));
      }
      out.write(o);
    }
  }
}

}  // namespace llm2hls
#endif
