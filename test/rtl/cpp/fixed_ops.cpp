// C++ twin driver of the fixed-point primitives (test/rtl/verilog/probe_fixed.v):
// for each of TWIN_COUNT inputs read from stdin prints, by TWIN_OP,
//   0: fx::sat(fx::round_shift(x, s), TWIN_Y_BITS)   (input "x s")
//   1: fx::exp2_neg(a)     2: fx::recip(z) as "r k"     3: fx::rsqrt(u) as "r e"
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_fixed.h"

int main() {
  namespace fx = llm2hls::fx;
  for (int i = 0; i < TWIN_COUNT; i++) {
    long long x, r;
    int s, k;
    std::cin >> x;
    switch (TWIN_OP) {
      case 0: std::cin >> s, std::printf("%lld\n", fx::sat(fx::round_shift(x, s), TWIN_Y_BITS)); break;
      case 1: std::printf("%lld\n", fx::exp2_neg(x)); break;
      case 2: fx::recip(x, r, k), std::printf("%lld %d\n", r, k); break;
      default: fx::rsqrt(x, r, k), std::printf("%lld %d\n", r, k); break;
    }
  }
  return 0;
}
