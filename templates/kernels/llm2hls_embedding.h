// llm2hls kernel: llm.Embedding. Reads one id per token and streams that row
// of the table (in external memory). Negative ids wrap like ONNX Gather; ids
// outside [-V, V) read row 0 (the golden model rejects them).
//   CFG::tokens, CFG::vocab, CFG::dim; types CFG::id_t, CFG::w_t, CFG::out_t
#ifndef LLM2HLS_EMBEDDING_H
#define LLM2HLS_EMBEDDING_H
#include "llm2hls_types.h"

namespace llm2hls {

template <class CFG>
void embedding(stream<typename CFG::id_t> &ids, const typename CFG::w_t *table, stream<typename CFG::out_t> &out) {
  for (int t = 0; t < CFG::tokens; t++) {
    int id = static_cast<int>(ids.read());
    if (id < 0) id += CFG::vocab;
    if (id < 0 || id >= CFG::vocab) id = 0;
    for (int d = 0; d < CFG::dim; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      out.write(static_cast<typename CFG::out_t>(table[id * CFG::dim + d]));
    }
  }
}

}  // namespace llm2hls
#endif
