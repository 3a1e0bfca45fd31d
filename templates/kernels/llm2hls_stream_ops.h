// llm2hls kernels: stream plumbing of the dataflow region (fork, split,
// copy, drain). Every stream carries one element per transfer, token-major.
#ifndef LLM2HLS_STREAM_OPS_H
#define LLM2HLS_STREAM_OPS_H
#include "llm2hls_types.h"

namespace llm2hls {

/** Copies N elements of `in` to both `a` and `b` (a value read by two tasks). */
template <class T, int N>
void fork2(stream<T> &in, stream<T> &a, stream<T> &b) {
  for (int i = 0; i < N; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    T v = in.read();
    a.write(v);
    b.write(v);
  }
}

/** Splits each row of W0 + W1 elements into its first W0 and last W1 elements. */
template <class T, int ROWS, int W0, int W1>
void split2(stream<T> &in, stream<T> &a, stream<T> &b) {
  for (int r = 0; r < ROWS; r++) {
    for (int i = 0; i < W0 + W1; i++) {
      LLM2HLS_PIPELINE_LOOP(1)
      T v = in.read();
      if (i < W0) a.write(v);
      else b.write(v);
    }
  }
}

/** Copies N elements, converting the element type. */
template <class TI, class TO, int N>
void copy(stream<TI> &in, stream<TO> &out) {
  for (int i = 0; i < N; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    out.write(static_cast<TO>(in.read()));
  }
}

/** Reads and discards N elements (an output nothing uses). */
template <class T, int N>
void drain(stream<T> &in) {
  for (int i = 0; i < N; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    T v = in.read();
    (void)v;
  }
}

}  // namespace llm2hls
#endif
