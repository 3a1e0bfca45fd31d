// C++ twin driver of llm2hls_linear: runs linear_q / linear_q_nobias of
// templates/kernels/llm2hls_fixed.h (CFG from -D constants) on integers read
// from stdin (TWIN_* are the -D constants): W [OUT_DIM][IN_DIM], bias [OUT_DIM] (BIAS=1), m, shift
// [OUT_DIM], x [ROWS][IN_DIM]; prints y [ROWS][OUT_DIM].
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int rows = TWIN_ROWS, in_dim = TWIN_IN_DIM, out_dim = TWIN_OUT_DIM, y_bits = TWIN_Y_BITS, par = TWIN_PAR, kpar = TWIN_KPAR, ii = TWIN_II;
  typedef llm2hls::sint<TWIN_X_BITS> in_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
  typedef signed char w_t;
};

int main() {
  const int K = TWIN_IN_DIM, N = TWIN_OUT_DIM;
  std::vector<signed char> w(N * K);
  std::vector<long long> bias(N);
  std::vector<int> m(N), shift(N);
  long long v;
  for (auto &e : w) std::cin >> v, e = static_cast<signed char>(v);
  if (TWIN_BIAS) for (auto &e : bias) std::cin >> e;
  for (auto &e : m) std::cin >> e;
  for (auto &e : shift) std::cin >> e;
  llm2hls::stream<llm2hls::vec<CFG::in_t, CFG::kpar> > in;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > out;
  twin::read_beats(in, TWIN_ROWS * K, K);
  if (TWIN_BIAS) llm2hls::linear_q<CFG>(in, w.data(), bias.data(), m.data(), shift.data(), out);
  else llm2hls::linear_q_nobias<CFG>(in, w.data(), m.data(), shift.data(), out);
  twin::print_beats(out, N);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
