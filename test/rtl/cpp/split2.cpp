// C++ twin driver of llm2hls_split2: split2 of templates/kernels/llm2hls_stream_ops.h
// on TWIN_ROWS rows of TWIN_W0 + TWIN_W1 integers from stdin; prints the a part, then the b part.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_stream_ops.h"

int main() {
  llm2hls::stream<long long> in, a, b;
  long long v;
  for (int i = 0; i < TWIN_ROWS * (TWIN_W0 + TWIN_W1); i++) std::cin >> v, in.write(v);
  llm2hls::split2<long long, TWIN_ROWS, TWIN_W0, TWIN_W1>(in, a, b);
  while (!a.empty()) std::printf("%lld\n", a.read());
  while (!b.empty()) std::printf("%lld\n", b.read());
  return llm2hls::host::stream_errors() ? 1 : 0;
}
