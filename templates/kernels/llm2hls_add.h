// llm2hls kernels: elementwise Add (residuals, token + position embeddings).
//   add:       out[i] = a[i] + b[i]
//   add_const: out[i] = a[i] + c[i % CFG::period], c a constant in memory
//   CFG::size, CFG::period; types CFG::in_t, CFG::c_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ADD_H
#define LLM2HLS_ADD_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG>
void add(stream<typename CFG::in_t> &a, stream<typename CFG::in_t> &b, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  for (int i = 0; i < CFG::size; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    const T x = static_cast<T>(a.read());
    const T y = static_cast<T>(b.read());
    out.write(static_cast<typename CFG::out_t>(x + y));
  }
}

template <class CFG>
void add_const(stream<typename CFG::in_t> &a, const typename CFG::c_t *c, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  int j = 0;
  for (int i = 0; i < CFG::size; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    const T x = static_cast<T>(a.read());
    out.write(static_cast<typename CFG::out_t>(x + static_cast<T>(c[j])));
    j = j + 1 == CFG::period ? 0 : j + 1;
  }
}

}  // namespace llm2hls
#endif
