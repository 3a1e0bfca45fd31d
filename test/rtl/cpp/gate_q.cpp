// C++ twin driver of llm2hls_activation: gate_q of templates/kernels/llm2hls_fixed.h
// (table 0 sigmoid, 1 gelu erf, 2 gelu tanh; CFG from the -DTWIN_* constants)
// on TWIN_SIZE integers from stdin; prints y.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

struct CFG {
  static const int size = TWIN_SIZE, table = TWIN_TABLE, x_frac = TWIN_X_FRAC, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  llm2hls::stream<CFG::in_t> x;
  llm2hls::stream<CFG::out_t> y;
  long long v;
  for (int i = 0; i < TWIN_SIZE; i++) std::cin >> v, x.write(CFG::in_t(v));
  llm2hls::gate_q<CFG>(x, y);
  while (!y.empty()) std::printf("%lld\n", static_cast<long long>(y.read()));
  return llm2hls::host::stream_errors() ? 1 : 0;
}
