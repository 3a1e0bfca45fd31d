// C++ twin driver of llm2hls_swiglu: swiglu_q of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on gate [SIZE] then up [SIZE] from stdin; prints y.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

struct CFG {
  static const int size = TWIN_SIZE, g_frac = TWIN_G_FRAC, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  llm2hls::stream<CFG::in_t> g, u;
  llm2hls::stream<CFG::out_t> y;
  long long v;
  for (int i = 0; i < TWIN_SIZE; i++) std::cin >> v, g.write(CFG::in_t(v));
  for (int i = 0; i < TWIN_SIZE; i++) std::cin >> v, u.write(CFG::in_t(v));
  llm2hls::swiglu_q<CFG>(g, u, y);
  while (!y.empty()) std::printf("%lld\n", static_cast<long long>(y.read()));
  return llm2hls::host::stream_errors() ? 1 : 0;
}
