// C++ twin driver of llm2hls_activation: gate_q of templates/kernels/llm2hls_fixed.h
// (table 0 sigmoid, 1 gelu erf, 2 gelu tanh; CFG from the -DTWIN_* constants)
// on TWIN_SIZE integers from stdin; prints y.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int size = TWIN_SIZE, rows = 1, row = TWIN_SIZE, par = TWIN_LANES, table = TWIN_TABLE, x_frac = TWIN_X_FRAC, shift = TWIN_SHIFT, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::par> > x;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(x, TWIN_SIZE, TWIN_SIZE);
  llm2hls::gate_q<CFG>(x, y);
  twin::print_beats(y, TWIN_SIZE);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
