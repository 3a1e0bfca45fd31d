// C++ twin driver of llm2hls_add: add_q of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on a [SIZE] then b [SIZE] from stdin; prints y.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int size = TWIN_SIZE, rows = 1, row = TWIN_SIZE, par = TWIN_LANES, a_shift = TWIN_A_SHIFT, b_shift = TWIN_B_SHIFT, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::par> > a, b;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(a, TWIN_SIZE, TWIN_SIZE);
  twin::read_beats(b, TWIN_SIZE, TWIN_SIZE);
  llm2hls::add_q<CFG>(a, b, y);
  twin::print_beats(y, TWIN_SIZE);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
