// llm2hls kernels: elementwise Add (residuals, token + position embeddings).
//   add:       out[i] = a[i] + b[i]
//   add_const: out[i] = a[i] + c[i % CFG::period], c a constant in memory
//   CFG::size, CFG::rows, CFG::row, CFG::par, CFG::period; types CFG::in_t, CFG::c_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ADD_H
#define LLM2HLS_ADD_H
#include "llm2hls_types.h"

namespace llm2hls {

// Lanes: CFG::par elements a beat (as llm2hls_activation.h); add_const's par divides the row
// and the period, so a beat never wraps the period.
template <class CFG>
void add(stream<vec<typename CFG::in_t, CFG::par> > &a, stream<vec<typename CFG::in_t, CFG::par> > &b,
         stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> av = a.read();
      const vec<typename CFG::in_t, CFG::par> bv = b.read();
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const T x = static_cast<T>(av[j]);
        const T y = static_cast<T>(bv[j]);
        o[j] = static_cast<typename CFG::out_t>(i0 + j < ROW ? x + y : T(0));
      }
      out.write(o);
    }
}

template <class CFG>
void add_const(stream<vec<typename CFG::in_t, CFG::par> > &a, const typename CFG::c_t *c, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int L = CFG::par;
  int p0 = 0;
  for (int i0 = 0; i0 < CFG::size; i0 += L) {
    LLM2HLS_PIPELINE_LOOP(1)
    const vec<typename CFG::in_t, CFG::par> av = a.read();
    vec<typename CFG::out_t, CFG::par> o;
    LLM2HLS_LOOP_UNROLL(CFG::par)
    for (int j = 0; j < L; j++) {
      LLM2HLS_UNROLL(CFG::par)
      o[j] = static_cast<typename CFG::out_t>(static_cast<T>(av[j]) + static_cast<T>(c[p0 + j]));
    }
    out.write(o);
    p0 = p0 + L == CFG::period ? 0 : p0 + L;
  }
}

}  // namespace llm2hls
#endif
