// llm2hls kernels: llm.LayerNorm and llm.RMSNorm over each row of CFG::dim.
//   LayerNorm: (x - mean) / sqrt(var + eps) * gamma + beta, var biased
//   RMSNorm:   x / sqrt(mean(x^2) + eps) * gamma
//   CFG::rows, CFG::dim, CFG::eps; types CFG::in_t, CFG::p_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_NORM_H
#define LLM2HLS_NORM_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG, bool BETA>
void layernorm_impl(stream<typename CFG::in_t> &in, const typename CFG::p_t *gamma, const typename CFG::p_t *beta,
                    stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t acc_t;
  acc_t x[CFG::dim];
  for (int r = 0; r < CFG::rows; r++) {
    acc_t sum = 0;
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      x[d] = static_cast<acc_t>(in.read());
      sum += x[d];
    }
    const acc_t mean = sum / static_cast<acc_t>(CFG::dim);
    acc_t sq = 0;
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      const acc_t c = x[d] - mean;
      sq += c * c;
    }
    const acc_t inv = static_cast<acc_t>(1) / math::sqrt(sq / static_cast<acc_t>(CFG::dim) + static_cast<acc_t>(CFG::eps));
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      acc_t y = (x[d] - mean) * inv * static_cast<acc_t>(gamma[d]);
      if (BETA) y += static_cast<acc_t>(beta[d]);
      out.write(static_cast<typename CFG::out_t>(y));
    }
  }
}

template <class CFG>
void layernorm(stream<typename CFG::in_t> &in, const typename CFG::p_t *gamma, const typename CFG::p_t *beta,
               stream<typename CFG::out_t> &out) {
  layernorm_impl<CFG, true>(in, gamma, beta, out);
}

template <class CFG>
void layernorm_nobeta(stream<typename CFG::in_t> &in, const typename CFG::p_t *gamma, stream<typename CFG::out_t> &out) {
  layernorm_impl<CFG, false>(in, gamma, gamma, out);
}

template <class CFG>
void rmsnorm(stream<typename CFG::in_t> &in, const typename CFG::p_t *gamma, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t acc_t;
  acc_t x[CFG::dim];
  for (int r = 0; r < CFG::rows; r++) {
    acc_t sq = 0;
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      x[d] = static_cast<acc_t>(in.read());
      sq += x[d] * x[d];
    }
    const acc_t inv = static_cast<acc_t>(1) / math::sqrt(sq / static_cast<acc_t>(CFG::dim) + static_cast<acc_t>(CFG::eps));
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      out.write(static_cast<typename CFG::out_t>(x[d] * inv * static_cast<acc_t>(gamma[d])));
    }
  }
}

}  // namespace llm2hls
#endif
