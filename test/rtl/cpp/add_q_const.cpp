// C++ twin driver of llm2hls_add_const: add_q_const of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on c [PERIOD] then a [SIZE] from stdin; prints y.
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int size = TWIN_SIZE, period = TWIN_PERIOD, par = TWIN_LANES, a_shift = TWIN_A_SHIFT, b_shift = TWIN_B_SHIFT, shift = TWIN_SHIFT,
                   y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  std::vector<int> c(TWIN_PERIOD);
  for (auto &e : c) std::cin >> e;
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::par> > a;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(a, TWIN_SIZE, TWIN_SIZE);
  llm2hls::add_q_const<CFG>(a, c.data(), y);
  twin::print_beats(y, TWIN_SIZE);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
