// C++ twin driver of llm2hls_round_shift + llm2hls_sat: prints
// fx::sat(fx::round_shift(x, s), TWIN_Y_BITS) of llm2hls_fixed.h for each pair
// "x s" read from stdin (TWIN_COUNT pairs).
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

int main() {
  for (int i = 0; i < TWIN_COUNT; i++) {
    long long x;
    int s;
    std::cin >> x >> s;
    std::printf("%lld\n", llm2hls::fx::sat(llm2hls::fx::round_shift(x, s), TWIN_Y_BITS));
  }
  return 0;
}
