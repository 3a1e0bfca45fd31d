// C++ twin driver of llm2hls_embedding: embedding_q of templates/kernels/llm2hls_fixed.h
// (CFG from the -DTWIN_* constants) on integers from stdin: table [VOCAB][DIM],
// m, shift [VOCAB], ids [TOKENS]; prints y [TOKENS][DIM].
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"
#include "twin_beats.h"

struct CFG {
  static const int tokens = TWIN_TOKENS, vocab = TWIN_VOCAB, dim = TWIN_DIM, y_bits = TWIN_Y_BITS, par = TWIN_LANES;
  typedef int id_t;
  typedef signed char w_t;
  typedef llm2hls::sint<TWIN_Y_BITS> out_t;
};

int main() {
  std::vector<signed char> table(TWIN_VOCAB * TWIN_DIM);
  std::vector<int> m(TWIN_VOCAB), shift(TWIN_VOCAB);
  long long v;
  for (auto &e : table) std::cin >> v, e = static_cast<signed char>(v);
  for (auto &e : m) std::cin >> e;
  for (auto &e : shift) std::cin >> e;
  llm2hls::stream<llm2hls::vec<int, 1> > ids;
  llm2hls::stream<llm2hls::vec<CFG::out_t, CFG::par> > y;
  twin::read_beats(ids, TWIN_TOKENS, 1);
  llm2hls::embedding_q<CFG>(ids, table.data(), m.data(), shift.data(), y);
  twin::print_beats(y, TWIN_DIM);
  return llm2hls::host::stream_errors() ? 1 : 0;
}
