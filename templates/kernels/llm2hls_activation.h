// llm2hls kernels: llm.Gelu (tanh or erf form), llm.SiLU, llm.SwiGLU,
// elementwise over CFG::size elements.
//   CFG::size, CFG::tanh_form (Gelu); types CFG::in_t, CFG::acc_t, CFG::out_t
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

template <class CFG>
void gelu(stream<typename CFG::in_t> &in, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  for (int i = 0; i < CFG::size; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    const T x = static_cast<T>(in.read());
    T y;
    if (CFG::tanh_form) y = T(0.5f) * x * (T(1) + math::tanh(T(0.7978845608f) * (x + T(0.044715f) * x * x * x)));
    else y = T(0.5f) * x * (T(1) + erf_approx<T>(x * T(0.7071067812f)));
    out.write(static_cast<typename CFG::out_t>(y));
  }
}

template <class CFG>
void silu(stream<typename CFG::in_t> &in, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  for (int i = 0; i < CFG::size; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    const T x = static_cast<T>(in.read());
    out.write(static_cast<typename CFG::out_t>(x * sigmoid<T>(x)));
  }
}

template <class CFG>
void swiglu(stream<typename CFG::in_t> &gate, stream<typename CFG::in_t> &up, stream<typename CFG::out_t> &out) {
  typedef typename CFG::acc_t T;
  for (int i = 0; i < CFG::size; i++) {
    LLM2HLS_PIPELINE_LOOP(1)
    const T g = static_cast<T>(gate.read());
    const T u = static_cast<T>(up.read());
    out.write(static_cast<typename CFG::out_t>(g * sigmoid<T>(g) * u));
  }
}

}  // namespace llm2hls
#endif
