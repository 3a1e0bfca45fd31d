// C++ twin driver of llm2hls_rope: rope_q of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on integers from stdin: cos, sin
// [TOKENS][HEAD_DIM], x [TOKENS][HEADS][HEAD_DIM]; prints y.
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int tokens = TWIN_TOKENS, heads = TWIN_HEADS, head_dim = TWIN_HEAD_DIM, par = TWIN_LANES, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef short p_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  const int n = TWIN_TOKENS * TWIN_HEAD_DIM;
  std::vector<short> cos_t(n), sin_t(n);
  long long v;
  for (auto &c : cos_t) std::cin >> v, c = static_cast<short>(v);
  for (auto &s : sin_t) std::cin >> v, s = static_cast<short>(v);
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::par> > x;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(x, TWIN_TOKENS * TWIN_HEADS * TWIN_HEAD_DIM, TWIN_HEADS * TWIN_HEAD_DIM);
  llm2hls::rope_q<CFG>(x, cos_t.data(), sin_t.data(), y);
  twin::print_beats(y, TWIN_HEADS * TWIN_HEAD_DIM);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
