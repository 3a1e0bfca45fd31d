// C++ twin driver of llm2hls_fork2: fork2 of templates/kernels/llm2hls_stream_ops.h
// on TWIN_SIZE integers from stdin; prints the a copy, then the b copy.
#include <cstdio>
#include <iostream>
#include "llm2hls_types.h"
#include "llm2hls_stream_ops.h"

int main() {
  llm2hls::stream<long long> in, a, b;
  long long v;
  for (int i = 0; i < TWIN_SIZE; i++) std::cin >> v, in.write(v);
  llm2hls::fork2<long long, TWIN_SIZE>(in, a, b);
  while (!a.empty()) std::printf("%lld\n", a.read());
  while (!b.empty()) std::printf("%lld\n", b.read());
  return llm2hls::host::stream_errors() ? 1 : 0;
}
