// llm2hls kernel: llm.Linear, y = x W + b, row by row. W is stored
// transposed ([N][K], each output's weights contiguous) in external memory.
//   CFG::rows, CFG::in_dim (K), CFG::out_dim (N), CFG::par (outputs computed
//   in parallel), CFG::ii; types CFG::in_t, CFG::w_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_LINEAR_H
#define LLM2HLS_LINEAR_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG, bool BIAS>
void linear_impl(stream<typename CFG::in_t> &in, const typename CFG::w_t *w, const typename CFG::w_t *b,
                 stream<typename CFG::out_t> &out) {
  typename CFG::in_t x[CFG::in_dim];
  LLM2HLS_PARTITION(x, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    for (int k = 0; k < CFG::in_dim; k++) {
      LLM2HLS_PIPELINE_LOOP(1)
      x[k] = in.read();
    }
    for (int n = 0; n < CFG::out_dim; n++) {
      typename CFG::acc_t acc = 0;
      for (int k = 0; k < CFG::in_dim; k++) {
        LLM2HLS_PIPELINE_LOOP(CFG::ii)
        acc += static_cast<typename CFG::acc_t>(x[k]) * static_cast<typename CFG::acc_t>(w[n * CFG::in_dim + k]);
      }
      if (BIAS) acc += static_cast<typename CFG::acc_t>(b[n]);
      out.write(static_cast<typename CFG::out_t>(acc));
    }
  }
}

template <class CFG>
void linear(stream<typename CFG::in_t> &in, const typename CFG::w_t *w, const typename CFG::w_t *b,
            stream<typename CFG::out_t> &out) {
  linear_impl<CFG, true>(in, w, b, out);
}

template <class CFG>
void linear_nobias(stream<typename CFG::in_t> &in, const typename CFG::w_t *w, stream<typename CFG::out_t> &out) {
  linear_impl<CFG, false>(in, w, w, out);
}

}  // namespace llm2hls
#endif
