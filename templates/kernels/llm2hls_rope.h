// llm2hls kernel: llm.RoPE on token-major rows of CFG::heads * CFG::head_dim.
// Per head: y = x * cos[t] + rotate_half(x) * sin[t], rotate_half(v) =
// concat(-v[hd/2:], v[:hd/2]); cos/sin tables [tokens][head_dim] in memory.
//   CFG::tokens, CFG::heads, CFG::head_dim, CFG::par; types CFG::in_t, CFG::p_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ROPE_H
#define LLM2HLS_ROPE_H
#include "llm2hls_types.h"

namespace llm2hls {

// Lanes: CFG::par elements a beat, dividing head_dim / 2 (a beat never straddles the halves,
// and x[i +- head_dim / 2] sits in lane i's cyclic bank of the head buffer).
template <class CFG>
void rope(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *cos_table, const typename CFG::p_t *sin_table,
          stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int HD = CFG::head_dim, HALF = CFG::head_dim / 2, L = CFG::par;
  T x[CFG::head_dim];
  LLM2HLS_PARTITION(x, CFG::par)
  for (int t = 0; t < CFG::tokens; t++) {
    for (int h = 0; h < CFG::heads; h++) {
      for (int i0 = 0; i0 < HD; i0 += L) {
        LLM2HLS_PIPELINE_LOOP(1)
        const vec<typename CFG::in_t, CFG::par> v = in.read();
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int j = 0; j < L; j++) {
          LLM2HLS_UNROLL(CFG::par)
          x[i0 + j] = static_cast<T>(v[j]);
        }
      }
      for (int i0 = 0; i0 < HD; i0 += L) {
        LLM2HLS_PIPELINE_LOOP(1)
        vec<typename CFG::out_t, CFG::par> o;
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int j = 0; j < L; j++) {
          LLM2HLS_UNROLL(CFG::par)
          const int i = i0 + j;
          const T rot = i < HALF ? -x[i + HALF] : x[i - HALF];
          const T y = x[i] * static_cast<T>(cos_table[t * HD + i]) + rot * static_cast<T>(sin_table[t * HD + i]);
          o[j] = static_cast<typename CFG::out_t>(y);
        }
        out.write(o);
      }
    }
  }
}

}  // namespace llm2hls
#endif
