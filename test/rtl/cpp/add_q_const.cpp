// C++ twin driver of llm2hls_add_const: add_q_const of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on c [PERIOD] then a [SIZE] from stdin; prints y.
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

struct CFG {
  static const int size = TWIN_SIZE, period = TWIN_PERIOD, a_shift = TWIN_A_SHIFT, b_shift = TWIN_B_SHIFT, shift = TWIN_SHIFT,
                   y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  std::vector<int> c(TWIN_PERIOD);
  for (auto &e : c) std::cin >> e;
  llm2hls::stream<CFG::in_t> a;
  llm2hls::stream<CFG::out_t> y;
  long long v;
  for (int i = 0; i < TWIN_SIZE; i++) std::cin >> v, a.write(CFG::in_t(v));
  llm2hls::add_q_const<CFG>(a, c.data(), y);
  while (!y.empty()) std::printf("%lld\n", static_cast<long long>(y.read()));
  return llm2hls::host::stream_errors() ? 1 : 0;
}
