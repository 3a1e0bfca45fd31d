// C++ twin driver of llm2hls_rope: rope_q of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on integers from stdin: cos, sin
// [TOKENS][HEAD_DIM], x [TOKENS][HEADS][HEAD_DIM]; prints y.
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

struct CFG {
  static const int tokens = TWIN_TOKENS, heads = TWIN_HEADS, head_dim = TWIN_HEAD_DIM, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
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
  llm2hls::stream<CFG::in_t> x;
  llm2hls::stream<CFG::out_t> y;
  for (int i = 0; i < TWIN_TOKENS * TWIN_HEADS * TWIN_HEAD_DIM; i++) std::cin >> v, x.write(CFG::in_t(v));
  llm2hls::rope_q<CFG>(x, cos_t.data(), sin_t.data(), y);
  while (!y.empty()) std::printf("%lld\n", static_cast<long long>(y.read()));
  return llm2hls::host::stream_errors() ? 1 : 0;
}
