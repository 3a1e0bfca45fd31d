// llm2hls kernels: stream plumbing of the dataflow region (fork, split,
// copy, drain) and the lane adapters. Internal streams carry beats of lanes
// (llm2hls::vec<T, L>, lane 0 first in element order); each row of ROW
// elements takes ceil(ROW / L) beats, and the padding lanes of its last beat
// are zero. The plumbing moves whole beats; the adapters re-beat rows:
//   to_beats   a top-level element stream (one element a beat) -> beats of L
//   from_beats beats of L -> a top-level element stream
//   regear     beats of LI -> beats of LO (the RTL's llm2hls_gearbox)
#ifndef LLM2HLS_STREAM_OPS_H
#define LLM2HLS_STREAM_OPS_H
#include "llm2hls_types.h"

namespace llm2hls {

/** Copies N beats of `in` to both `a` and `b` (a value read by two tasks). */
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

/** Copies N beats, converting the beat type. */
template <class TI, class TO, int N>
void copy(stream<TI> &in, stream<TO> &out) {
  for (int i = 0; i < N; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    out.write(static_cast<TO>(in.read()));
  }
}

/** Reads and discards N beats (an output nothing uses). */
template <class T, int N>
void drain(stream<T> &in) {
  for (int i = 0; i < N; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    T v = in.read();
    (void)v;
  }
}

/** Packs ROWS rows of ROW elements of a top-level port into beats of L (one element a cycle: the port's rate). */
template <class T, int ROWS, int ROW, int L>
void to_beats(stream<T> &in, stream<vec<T, L> > &out) {
  const int RB = (ROW + L - 1) / L;
  for (int r = 0; r < ROWS; r++)
    for (int b = 0; b < RB; b++) {
      vec<T, L> v;
      for (int j = 0; j < L; j++) {
        LLM2HLS_PIPELINE_LOOP(1)
        v[j] = b * L + j < ROW ? in.read() : T(0);
      }
      out.write(v);
    }
}

/** Unpacks beats of L into a top-level port, one element a cycle (the padding lanes are dropped). */
template <class T, int ROWS, int ROW, int L>
void from_beats(stream<vec<T, L> > &in, stream<T> &out) {
  const int RB = (ROW + L - 1) / L;
  for (int r = 0; r < ROWS; r++)
    for (int b = 0; b < RB; b++) {
      const vec<T, L> v = in.read();
      for (int j = 0; j < L; j++) {
        LLM2HLS_PIPELINE_LOOP(1)
        if (b * L + j < ROW) out.write(v[j]);
      }
    }
}

/**
 * Re-beats rows of ROW elements from LI to LO lanes, element order kept (llm2hls_gearbox.v):
 * a buffer of LI + LO elements; each step takes an input beat when the buffer holds less than
 * the next output beat needs, and sends an output beat when it holds enough, so a row takes
 * about max(ceil(ROW / LI), ceil(ROW / LO)) steps and the adapter never holds a row.
 */
template <class T, int ROWS, int ROW, int LI, int LO>
void regear(stream<vec<T, LI> > &in, stream<vec<T, LO> > &out) {
  const int RB = (ROW + LI - 1) / LI, WB = (ROW + LO - 1) / LO, NB = LI + LO;
  T buf[NB];
  LLM2HLS_PARTITION_COMPLETE(buf)
  for (int r = 0; r < ROWS; r++) {
    int held = 0, got = 0, sent = 0;
    for (int s = 0; s < RB + WB; s++) {
      LLM2HLS_PIPELINE_LOOP(1)
      if (sent < ROW) {
        const int want = ROW - sent < LO ? ROW - sent : LO;
        if (held < want && got < ROW) {
          const vec<T, LI> v = in.read();
          LLM2HLS_LOOP_UNROLL(LI)
          for (int j = 0; j < LI; j++) {
            LLM2HLS_UNROLL(LI)
            if (got + j < ROW) buf[held + j] = v[j];
          }
          const int n = ROW - got < LI ? ROW - got : LI;
          held += n;
          got += n;
        }
        if (held >= want) {
          vec<T, LO> o;
          LLM2HLS_LOOP_UNROLL(LO)
          for (int j = 0; j < LO; j++) {
            LLM2HLS_UNROLL(LO)
            o[j] = j < want ? buf[j] : T(0);
          }
          out.write(o);
          LLM2HLS_LOOP_UNROLL(NB)
          for (int j = 0; j < NB; j++) {
            LLM2HLS_UNROLL(NB)
            buf[j] = j + want < NB ? buf[j + want] : T(0);
          }
          held -= want;
          sent += want;
        }
      }
    }
  }
}

/** Reads one row of ROW elements, in beats of L, into dst[0, ROW). */
template <int ROW, int L, class T>
void read_row(stream<vec<T, L> > &in, T *dst) {
  for (int i0 = 0; i0 < ROW; i0 += L) {
    LLM2HLS_PIPELINE_LOOP(1)
    const vec<T, L> v = in.read();
    LLM2HLS_LOOP_UNROLL(L)
    for (int j = 0; j < L; j++) {
      LLM2HLS_UNROLL(L)
      if (i0 + j < ROW) dst[i0 + j] = v[j];
    }
  }
}

/** Writes src[0, ROW) as one row in beats of L (the last beat's padding lanes zero). */
template <int ROW, int L, class T>
void write_row(const T *src, stream<vec<T, L> > &out) {
  for (int i0 = 0; i0 < ROW; i0 += L) {
    LLM2HLS_PIPELINE_LOOP(1)
    vec<T, L> v;
    LLM2HLS_LOOP_UNROLL(L)
    for (int j = 0; j < L; j++) {
      LLM2HLS_UNROLL(L)
      v[j] = i0 + j < ROW ? src[i0 + j] : T(0);
    }
    out.write(v);
  }
}

/** Scatters one row of `heads` x W elements, in beats of L, into rows `row` of a [heads][len][W] cache. */
template <int HEADS, int W, int L, class T, class C>
void append_row(stream<vec<T, L> > &in, C *cache, int len, int row) {
  const int ROW = HEADS * W;
  for (int i0 = 0; i0 < ROW; i0 += L) {
    LLM2HLS_PIPELINE_LOOP(1)
    const vec<T, L> v = in.read();
    LLM2HLS_LOOP_UNROLL(L)
    for (int j = 0; j < L; j++) {
      LLM2HLS_UNROLL(L)
      const int e = i0 + j;
      if (e < ROW) cache[((e / W) * len + row) * W + e % W] = static_cast<C>(v[j]);
    }
  }
}

}  // namespace llm2hls
#endif
