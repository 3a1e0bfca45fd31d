// C++ twin driver of llm2hls_attention: attention_q of
// templates/kernels/llm2hls_fixed.h (CFG from the -DTWIN_* constants) on
// integers from stdin, TWIN_PASSES passes, each q [TOKENS][HEADS*HEAD_DIM],
// k [NEW_KEYS][KV_HEADS*HEAD_DIM], v [NEW_KEYS][KV_HEADS*V_HEAD_DIM]; prints
// y [TOKENS][HEADS*V_HEAD_DIM] per pass. The KV cache is a fresh array per
// pass (PAST = 0: every row of it is written by the pass).
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int tokens = TWIN_TOKENS, new_keys = TWIN_NEW_KEYS, past = 0, cache_len = TWIN_NEW_KEYS;
  static const int heads = TWIN_HEADS, kv_heads = TWIN_KV_HEADS, head_dim = TWIN_HEAD_DIM, v_head_dim = TWIN_V_HEAD_DIM;
  static const int causal = TWIN_CAUSAL, score_m = TWIN_SCORE_M, score_shift = TWIN_SCORE_SHIFT;
  static const int out_shift = TWIN_OUT_SHIFT, y_bits = TWIN_Y_BITS, lanes = TWIN_LANES;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_X_BITS> kv_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  const int qn = CFG::tokens * CFG::heads * CFG::head_dim;
  const int kn = CFG::new_keys * CFG::kv_heads * CFG::head_dim, vn = CFG::new_keys * CFG::kv_heads * CFG::v_head_dim;
  for (int p = 0; p < TWIN_PASSES; p++) {
    llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::lanes> > q, k, v;
    llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::lanes> > y;
    twin::read_beats(q, qn, CFG::heads * CFG::head_dim);
    twin::read_beats(k, kn, CFG::kv_heads * CFG::head_dim);
    twin::read_beats(v, vn, CFG::kv_heads * CFG::v_head_dim);
    std::vector<CFG::kv_t> kc(kn), vc(vn);
    llm2hls::attention_q<CFG>(q, k, v, kc.data(), vc.data(), y);
    twin::print_beats(y, CFG::heads * CFG::v_head_dim);
  }
  return llm2hls::host::stream_errors() ? 1 : 0;
}
