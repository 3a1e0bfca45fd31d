// llm2hls kernel: llm.RoPE on token-major rows of CFG::heads * CFG::head_dim.
// Per head: y = x * cos[t] + rotate_half(x) * sin[t], rotate_half(v) =
// concat(-v[hd/2:], v[:hd/2]); cos/sin tables [tokens][head_dim] in memory.
//   CFG::tokens, CFG::heads, CFG::head_dim; types CFG::in_t, CFG::p_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ROPE_H
#define LLM2HLS_ROPE_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG>
void rope(stream<typename CFG::in_t> &in, const typename CFG::p_t *cos_table, const typename CFG::p_t *sin_table,
          stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  const int HD = CFG::head_dim, HALF = CFG::head_dim / 2;
  T x[CFG::head_dim];
  for (int t = 0; t < CFG::tokens; t++) {
    for (int h = 0; h < CFG::heads; h++) {
      for (int i = 0; i < HD; i++) {
        LLM2HLS_PIPELINE_LOOP(1)
        x[i] = static_cast<T>(in.read());
      }
      for (int i = 0; i < HD; i++) {
        LLM2HLS_PIPELINE_LOOP(1)
        const T rot = i < HALF ? -x[i + HALF] : x[i - HALF];
        const T y = x[i] * static_cast<T>(cos_table[t * HD + i]) + rot * static_cast<T>(sin_table[t * HD + i]);
        out.write(static_cast<typename CFG::out_t>(y));
      }
    }
  }
}

}  // namespace llm2hls
#endif
