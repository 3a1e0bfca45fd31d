// llm2hls kernel: llm.Embedding. Reads one id per token and streams that row
// of the table (in external memory). Negative ids wrap like ONNX Gather; ids
// outside [-V, V) read row 0 (the golden model rejects them).
//   CFG::tokens, CFG::vocab, CFG::dim, CFG::par (lanes of the output beats); types CFG::id_t, CFG::w_t, CFG::out_t
#ifndef LLM2HLS_EMBEDDING_H
#define LLM2HLS_EMBEDDING_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG>
void embedding(stream<vec<typename CFG::id_t, 1> > &ids, const typename CFG::w_t *table, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par, D = CFG::dim;
  for (int t = 0; t < CFG::tokens; t++) {
    int id = static_cast<int>(ids.read()[0]);
    if (id < 0) id += CFG::vocab;
    if (id < 0 || id >= CFG::vocab) id = 0;
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const int d = d0 + j;
        o[j] = d < D ? static_cast<typename CFG::out_t>(table[id * D + d]) : typename CFG::out_t(0);
      }
      out.write(o);
    }
  }
}

}  // namespace llm2hls
#endif
