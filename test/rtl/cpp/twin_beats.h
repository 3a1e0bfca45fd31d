// Stream beats for the C++ twin drivers: the kernels read and write beats of
// lanes (llm2hls::vec<T, L>, rows padded to whole beats); the drivers read and
// print plain integers. TWIN_LANES (default 1) is the lanes of an element or row kernel.
#ifndef TWIN_BEATS_H
#define TWIN_BEATS_H
#include <cstdio>
#include <iostream>
#include <vector>
#include "llm2hls_types.h"

#ifndef TWIN_LANES
#define TWIN_LANES 1
#endif

namespace twin {

/** Reads n integers from stdin as beats of L, rows of `row` elements (the last beat of a row padded with zeros). */
template <class T, int L>
void read_beats(llm2hls::stream<llm2hls::vec<T, L> > &s, int n, int row) {
  long long v;
  for (int r = 0; r < n / row; r++)
    for (int i0 = 0; i0 < row; i0 += L) {
      llm2hls::vec<T, L> b;
      for (int j = 0; j < L; j++) {
        if (i0 + j < row) std::cin >> v, b[j] = T(v);
        else b[j] = T(0);
      }
      s.write(b);
    }
}

/** Prints every element of the beats left in s, rows of `row` elements (the padding lanes dropped). */
template <class T, int L>
void print_beats(llm2hls::stream<llm2hls::vec<T, L> > &s, int row) {
  int i0 = 0;
  while (!s.empty()) {
    const llm2hls::vec<T, L> b = s.read();
    for (int j = 0; j < L; j++)
      if (i0 + j < row) std::printf("%lld\n", static_cast<long long>(b[j]));
    i0 = i0 + L >= row ? 0 : i0 + L;
  }
}

}  // namespace twin
#endif
