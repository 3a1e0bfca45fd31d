// llm2hls kernels: llm.Gelu (tanh or erf form), llm.SiLU, llm.SwiGLU,
// elementwise over CFG::size elements.
//   CFG::size, CFG::rows, CFG::row, CFG::par, CFG::tanh_form (Gelu); types CFG::in_t, CFG::acc_t, CFG::out_t
#ifndef LLM2HLS_ACTIVATION_H
#define LLM2HLS_ACTIVATION_H
#include "llm2hls_types.h"

namespace llm2hls {

/** erf(x) by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), using exp only. */
template <class T>
T erf_approx(T x) {
  LLM2HLS_PIPELINE_FUNCTION()
  const T sign = x < 0 ? T(-1) : T(1);
  const T a = x < 0 ? -x : x;
  const T t = T(1) / (T(1) + T(0.3275911f) * a);
  const T poly = ((((T(1.061405429f) * t - T(1.453152027f)) * t + T(1.421413741f)) * t - T(0.284496736f)) * t +
                  T(0.254829592f)) * t;
  return sign * (T(1) - poly * math::exp(-a * a));
}

template <class T>
T sigmoid(T x) {
  LLM2HLS_PIPELINE_FUNCTION()
  if (x >= 0) return T(1) / (T(1) + math::exp(-x));
  const T e = math::exp(x);
  return e / (T(1) + e);
}

// Lanes: CFG::par elements a beat (rows of CFG::row elements in ceil(row / par) beats, the
// padding lanes zero); the beat loop pipelined at II=1, the lane loop unrolled.
template <class CFG>
void gelu(stream<vec<typename CFG::in_t, CFG::par> > &in, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const T x = static_cast<T>(v[j]);
        T y;
        if (CFG::tanh_form) y = T(0.5f) * x * (T(1) + math::tanh(T(0.7978845608f) * (x + T(0.044715f) * x * x * x)));
        else y = T(0.5f) * x * (T(1) + erf_approx<T>(x * T(0.7071067812f)));
        o[j] = static_cast<typename CFG::out_t>(i0 + j < ROW ? y : T(0));
      }
      out.write(o);
    }
}

template <class CFG>
void silu(stream<vec<typename CFG::in_t, CFG::par> > &in, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const T x = static_cast<T>(v[j]);
        o[j] = static_cast<typename CFG::out_t>(i0 + j < ROW ? x * sigmoid<T>(x) : T(0));
      }
      out.write(o);
    }
}

template <class CFG>
void swiglu(stream<vec<typename CFG::in_t, CFG::par> > &gate, stream<vec<typename CFG::in_t, CFG::par> > &up,
            stream<vec<typename CFG::out_t, CFG::par> > &out) {
  typedef typename CFG::acc_t T;
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> gv = gate.read();
      const vec<typename CFG::in_t, CFG::par> uv = up.read();
      vec<typename CFG::out_t, CFG::par> o;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const T g = static_cast<T>(gv[j]);
        const T u = static_cast<T>(uv[j]);
        o[j] = static_cast<typename CFG::out_t>(i0 + j < ROW ? g * sigmoid<T>(g) * u : T(0));
      }
      out.write(o);
    }
}

}  // namespace llm2hls
#endif
