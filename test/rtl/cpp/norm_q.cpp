// C++ twin driver of llm2hls_norm: norm_q / norm_q_nobeta of
// templates/kernels/llm2hls_fixed.h (CFG from the -DTWIN_* constants) on
// integers from stdin: gamma' [DIM], beta' [DIM] (BETA=1), x [ROWS][DIM]; prints y.
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int rows = TWIN_ROWS, dim = TWIN_DIM, par = TWIN_LANES, center = TWIN_CENTER, inv_d_m = TWIN_INV_D_M, inv_d_shift = TWIN_INV_D_SHIFT;
  static const long long eps_u = TWIN_EPS_U;
  static const int gamma_frac = TWIN_GAMMA_FRAC, y_frac = TWIN_Y_FRAC, y_bits = TWIN_Y_BITS;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef short p_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  std::vector<short> gamma(TWIN_DIM);
  std::vector<long long> beta(TWIN_DIM);
  long long v;
  for (auto &g : gamma) std::cin >> v, g = static_cast<short>(v);
  if (TWIN_BETA) for (auto &b : beta) std::cin >> b;
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::par> > x;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(x, TWIN_ROWS * TWIN_DIM, TWIN_DIM);
  if (TWIN_BETA) llm2hls::norm_q<CFG>(x, gamma.data(), beta.data(), y);
  else llm2hls::norm_q_nobeta<CFG>(x, gamma.data(), y);
  twin::print_beats(y, TWIN_DIM);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
