// llm2hls fixed-point kernels: the integer arithmetic of docs/numerics.md,
// step for step and in the same order as compiler/numerics/kernels-q.ts, so
// C simulation matches the quantized golden model bit for bit. Streams carry
// beats of lanes (llm2hls::vec), each lane an element's integer q (value = q * 2^-frac, the frac of each value is a
// compile-time constant of the kernel's config). One rounding mode (round
// half to even), one overflow mode (saturation). Lookup tables come from
// llm2hls_tables.h, printed from compiler/numerics/tables.ts.
#ifndef LLM2HLS_FIXED_H
#define LLM2HLS_FIXED_H
#include "llm2hls_types.h"
#include "llm2hls_tables.h"
#include "llm2hls_linear.h"
#include "llm2hls_stream_ops.h"

namespace llm2hls {
namespace fx {

typedef long long i64;

/** x * 2^-s rounded half to even (s > 0), or x * 2^-s exactly (s <= 0). */
inline i64 round_shift(i64 x, int s) {
  if (s <= 0) return x * (i64(1) << -s);
  const i64 q = x >> s;  // floor (arithmetic shift)
  const i64 r = x - (q << s);
  const i64 half = i64(1) << (s - 1);
  return (r > half || (r == half && (q & 1))) ? q + 1 : q;
}

/** floor(x * 2^-s) (s >= 0), x * 2^-s (s < 0). */
inline i64 floor_shift(i64 x, int s) { return s <= 0 ? x * (i64(1) << -s) : (x >> s); }

/** Saturates into a signed `bits`-wide range. */
inline i64 sat(i64 x, int bits) {
  const i64 hi = (i64(1) << (bits - 1)) - 1, lo = -(i64(1) << (bits - 1));
  return x < lo ? lo : x > hi ? hi : x;
}

/** Position of the leading one plus one (x >= 1): a priority encoder. */
inline int bit_length(i64 x) {
  int n = 0;
  for (int b = 62; b >= 0; b--) {
    if ((x >> b) & 1) { n = b + 1; break; }
  }
  return n;
}

inline i64 lerp(const int *t, int i, i64 r, int rbits) { return t[i] + round_shift((i64(t[i + 1]) - t[i]) * r, rbits); }

/** 2^(-a * 2^-16) in Q.16 for a >= 0. */
inline i64 exp2_neg(i64 a) {
  const i64 n = a >> 16;
  const i64 f = a - (n << 16);
  const i64 e = lerp(LLM2HLS_TABLE_EXP2, int(f >> 8), f & 0xff, 8);
  return n >= 32 ? 0 : round_shift(e, int(n));
}

/** 1/z = r * 2^-(16 + k) for z >= 1. */
inline void recip(i64 z, i64 &r, int &k) {
  k = bit_length(z) - 1;
  const i64 zn = floor_shift(z, k - 16);
  r = lerp(LLM2HLS_TABLE_RECIP, int((zn >> 8) - 256), zn & 0xff, 8);
}

/** 1/sqrt(u) = r * 2^-16 * 2^-(e/2) for u >= 1. */
inline void rsqrt(i64 u, i64 &r, int &e) {
  const int k = bit_length(u) - 1;
  e = k - (k & 1);
  const i64 un = floor_shift(u, e - 16);
  r = lerp(LLM2HLS_TABLE_RSQRT, int((un >> 9) - 128), un & 0x1ff, 9);
}

/** The gate g(x) in Q.16 of x with `frac` fraction bits (table 0 sigmoid, 1 gelu erf, 2 gelu tanh). */
inline i64 gate(int table, i64 x, int frac) {
  const int *t = table == 0 ? LLM2HLS_TABLE_SIGMOID : table == 1 ? LLM2HLS_TABLE_GELU_ERF_GATE : LLM2HLS_TABLE_GELU_TANH_GATE;
  const i64 lim = i64(1) << 20;
  i64 xs;
  const int s = frac - 16;
  if (s < 0 && -s >= 22) xs = x > 0 ? lim : x < 0 ? -lim : 0;  // |x| >= 1 overflows the clamp anyway
  else xs = floor_shift(x, s);
  if (xs < -lim) xs = -lim;
  if (xs > lim) xs = lim;
  const i64 u = xs + lim;
  const int i = int(u >> 10);
  return i == 2048 ? i64(t[2048]) : lerp(t, i, u & 0x3ff, 10);
}

template <class T>
inline i64 get(const T &v) { return static_cast<i64>(to_i64(v)); }

}  // namespace fx

// ---------------------------------------------------------------------------
// llm.Linear: acc = bias[n] + sum_k x[k] * w[n][k]; y = sat(round_shift(acc * m[n], shift[n])).
//   CFG::rows, in_dim, out_dim, y_bits, par (UN outputs at once), kpar (UK products per
//   output per cycle), ii; types in_t, w_t, out_t. W stored [N][K].
// Lanes as llm2hls_linear.h: the k loop pipelined at II=CFG::ii and unrolled by UK, UN
// accumulators. The accumulation is exact 64-bit integer arithmetic (no rounding inside),
// so the lanes cannot change a result; rounding happens once per output, as in the golden.
// `linear_q` reads W, bias, m, shift through m_axi; `linear_q_onchip_<impl>` copies them
// once, on the first invocation, into static on-chip arrays (BIND_STORAGE ram_2p impl).
template <class CFG, bool BIAS, class WP>
void linear_q_core(stream<vec<typename CFG::in_t, CFG::kpar> > &in, WP w, const long long *bias, const int *m, const int *shift,
                   stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int K = CFG::in_dim, N = CFG::out_dim, UN = CFG::par, UK = CFG::kpar;
  fx::i64 x[CFG::in_dim];
  LLM2HLS_PARTITION(x, CFG::kpar)
  fx::i64 acc[CFG::par];
  LLM2HLS_PARTITION(acc, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    // The row arrives in beats of UK elements, one a cycle.
    for (int k0 = 0; k0 < K; k0 += UK) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::kpar> v = in.read();
      LLM2HLS_LOOP_UNROLL(CFG::kpar)
      for (int j = 0; j < UK; j++) {
        LLM2HLS_UNROLL(CFG::kpar)
        if (k0 + j < K) x[k0 + j] = fx::get(v[j]);
      }
    }
    for (int n0 = 0; n0 < N; n0 += UN) {
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int u = 0; u < UN; u++) {
        LLM2HLS_UNROLL(CFG::par)
        acc[u] = BIAS && n0 + u < N ? bias[n0 + u] : 0;
      }
      LLM2HLS_LOOP_UNROLL(CFG::kpar)
      for (int k = 0; k < K; k++) {
        LLM2HLS_PIPELINE_LOOP(CFG::ii)
        LLM2HLS_UNROLL(CFG::kpar)
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int u = 0; u < UN; u++) {
          LLM2HLS_UNROLL(CFG::par)
          if (n0 + u < N) acc[u] += x[k] * fx::get(weight_at<CFG::in_dim>(w, n0 + u, k));
        }
      }
      // One output beat of UN lanes (the padding lanes of a row's last beat are zero).
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int u = 0; u < UN; u++) {
        LLM2HLS_UNROLL(CFG::par)
        const int n = n0 + u;
        y[u] = typename CFG::out_t(n < N ? fx::sat(fx::round_shift(acc[u] * m[n < N ? n : 0], shift[n < N ? n : 0]), CFG::y_bits) : 0);
      }
      out.write(y);
    }
  }
}

template <class CFG>
void linear_q(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w, const long long *bias, const int *m,
              const int *shift, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  linear_q_core<CFG, true>(in, w, bias, m, shift, out);
}

template <class CFG>
void linear_q_nobias(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w, const int *m, const int *shift,
                     stream<vec<typename CFG::out_t, CFG::par> > &out) {
  linear_q_core<CFG, false>(in, w, 0, m, shift, out);
}

/** On-chip weights: W [N][K], bias, m, shift in static `IMPL` arrays, loaded on the first call. */
#define LLM2HLS_LINEAR_Q_ONCHIP(IMPL)                                                                        \
  template <class CFG, bool BIAS>                                                                            \
  void linear_q_onchip_##IMPL(stream<vec<typename CFG::in_t, CFG::kpar> > &in, const typename CFG::w_t *w,    \
                              const long long *bias, const int *m, const int *shift,                         \
                              stream<vec<typename CFG::out_t, CFG::par> > &out) {                            \
    static typename CFG::w_t wbuf[CFG::out_dim][CFG::in_dim];                                                \
    LLM2HLS_BIND_STORAGE(wbuf, IMPL)                                                                         \
    LLM2HLS_PARTITION_DIM(wbuf, CFG::par, 1)                                                                 \
    LLM2HLS_PARTITION_DIM(wbuf, CFG::kpar, 2)                                                                \
    static long long bbuf[CFG::out_dim];                                                                     \
    LLM2HLS_PARTITION(bbuf, CFG::par)                                                                        \
    static int mbuf[CFG::out_dim];                                                                           \
    static int sbuf[CFG::out_dim];                                                                           \
    static bool loaded = false;                                                                              \
    if (!loaded) {                                                                                           \
      for (int i = 0; i < CFG::out_dim * CFG::in_dim; i++) {                                                 \
        LLM2HLS_PIPELINE_LOOP(1)                                                                             \
        wbuf[i / CFG::in_dim][i % CFG::in_dim] = w[i];                                                       \
      }                                                                                                      \
      for (int n = 0; n < CFG::out_dim; n++) {                                                               \
        LLM2HLS_PIPELINE_LOOP(1)                                                                             \
        bbuf[n] = BIAS ? bias[n] : 0;                                                                        \
        mbuf[n] = m[n];                                                                                      \
        sbuf[n] = shift[n];                                                                                  \
      }                                                                                                      \
      loaded = true;                                                                                         \
    }                                                                                                        \
    linear_q_core<CFG, BIAS>(in, static_cast<const typename CFG::w_t(*)[CFG::in_dim]>(wbuf), bbuf, mbuf, sbuf, out); \
  }
LLM2HLS_LINEAR_Q_ONCHIP(lutram)
LLM2HLS_LINEAR_Q_ONCHIP(bram)
LLM2HLS_LINEAR_Q_ONCHIP(uram)
#undef LLM2HLS_LINEAR_Q_ONCHIP

// Lanes of the element and row kernels below: CFG::par elements a beat, the loop over a
// row's beats pipelined at II=1 and the lane loop unrolled; rows of CFG::row (or dim,
// head_dim) elements take ceil(row / par) beats, the last one's padding lanes zero.

// llm.Embedding: y[t][d] = sat(round_shift(q[row][d] * m[row], shift[row])).
//   CFG::tokens, vocab, dim, par, y_bits; types id_t, w_t, out_t
template <class CFG>
void embedding_q(stream<vec<typename CFG::id_t, 1> > &ids, const typename CFG::w_t *table, const int *m, const int *shift,
                 stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par, D = CFG::dim;
  for (int t = 0; t < CFG::tokens; t++) {
    int id = static_cast<int>(fx::get(ids.read()[0]));
    if (id < 0) id += CFG::vocab;
    if (id < 0 || id >= CFG::vocab) id = 0;
    for (int d0 = 0; d0 < D; d0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const int d = d0 + j;
        y[j] = typename CFG::out_t(d < D ? fx::sat(fx::round_shift(fx::get(table[id * D + (d < D ? d : 0)]) * m[id], shift[id]), CFG::y_bits) : 0);
      }
      out.write(y);
    }
  }
}

// llm.LayerNorm (CFG::center = 1) / llm.RMSNorm (0): guard bits G = 3, NF = 20.
//   CFG::rows, dim, par, center, inv_d_m, inv_d_shift, eps_u, gamma_frac, y_frac, y_bits; types in_t, p_t, out_t
// The row buffers are partitioned cyclic by par; the sums are exact integers, so adding the
// lanes of a beat together cannot change them.
template <class CFG, bool BETA>
void norm_q_impl(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma, const long long *beta,
                 stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int G = 3, NF = 20, L = CFG::par, D = CFG::dim;
  const int out_shift = NF + CFG::gamma_frac - CFG::y_frac;
  fx::i64 x[CFG::dim];
  LLM2HLS_PARTITION(x, CFG::par)
  fx::i64 c[CFG::dim];
  LLM2HLS_PARTITION(c, CFG::par)
  for (int r = 0; r < CFG::rows; r++) {
    fx::i64 sum = 0;
    for (int j0 = 0; j0 < D; j0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      fx::i64 part = 0;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        if (j0 + j < D) {
          x[j0 + j] = fx::get(v[j]);
          part += x[j0 + j];
        }
      }
      sum += part;
    }
    const fx::i64 mean_g = CFG::center ? fx::round_shift(sum * CFG::inv_d_m, CFG::inv_d_shift - G) : 0;
    fx::i64 u = CFG::eps_u;
    for (int j0 = 0; j0 < D; j0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      fx::i64 part = 0;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        if (j0 + j < D) {
          c[j0 + j] = x[j0 + j] * (fx::i64(1) << G) - mean_g;
          part += c[j0 + j] * c[j0 + j];
        }
      }
      u += part;
    }
    fx::i64 rs;
    int e;
    fx::rsqrt(u, rs, e);
    const int n_shift = 16 + e / 2 - NF;
    for (int j0 = 0; j0 < D; j0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const int d = j0 + j;
        if (d < D) {
          const fx::i64 n = fx::round_shift(c[d] * rs, n_shift);
          const fx::i64 acc = n * fx::get(gamma[d]) + (BETA ? beta[d] : 0);
          y[j] = typename CFG::out_t(fx::sat(fx::round_shift(acc, out_shift), CFG::y_bits));
        } else {
          y[j] = typename CFG::out_t(0);
        }
      }
      out.write(y);
    }
  }
}

template <class CFG>
void norm_q(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma, const long long *beta,
            stream<vec<typename CFG::out_t, CFG::par> > &out) {
  norm_q_impl<CFG, true>(in, gamma, beta, out);
}

template <class CFG>
void norm_q_nobeta(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *gamma,
                   stream<vec<typename CFG::out_t, CFG::par> > &out) {
  norm_q_impl<CFG, false>(in, gamma, 0, out);
}

// llm.RoPE: y = sat(round_shift(x * cos + rot * sin, fx + 14 - fy)); cos/sin 16-bit, frac 14.
//   CFG::tokens, heads, head_dim, par (dividing head_dim / 2: a beat never straddles the
//   halves, and lane j's partner x[i +- hd/2] sits in the same cyclic bank), shift, y_bits;
//   types in_t, p_t, out_t
template <class CFG>
void rope_q(stream<vec<typename CFG::in_t, CFG::par> > &in, const typename CFG::p_t *cos_table, const typename CFG::p_t *sin_table,
            stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int HD = CFG::head_dim, HALF = CFG::head_dim / 2, L = CFG::par;
  fx::i64 x[CFG::head_dim];
  LLM2HLS_PARTITION(x, CFG::par)
  for (int t = 0; t < CFG::tokens; t++) {
    for (int h = 0; h < CFG::heads; h++) {
      for (int i0 = 0; i0 < HD; i0 += L) {
        LLM2HLS_PIPELINE_LOOP(1)
        const vec<typename CFG::in_t, CFG::par> v = in.read();
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int j = 0; j < L; j++) {
          LLM2HLS_UNROLL(CFG::par)
          x[i0 + j] = fx::get(v[j]);
        }
      }
      for (int i0 = 0; i0 < HD; i0 += L) {
        LLM2HLS_PIPELINE_LOOP(1)
        vec<typename CFG::out_t, CFG::par> y;
        LLM2HLS_LOOP_UNROLL(CFG::par)
        for (int j = 0; j < L; j++) {
          LLM2HLS_UNROLL(CFG::par)
          const int i = i0 + j;
          const fx::i64 rot = i < HALF ? -x[i + HALF] : x[i - HALF];
          const fx::i64 acc = x[i] * fx::get(cos_table[t * HD + i]) + rot * fx::get(sin_table[t * HD + i]);
          y[j] = typename CFG::out_t(fx::sat(fx::round_shift(acc, CFG::shift), CFG::y_bits));
        }
        out.write(y);
      }
    }
  }
}

// llm.Gelu / llm.SiLU: y = sat(round_shift(x * gate(x), fx + 16 - fy)).
//   CFG::size, rows, row, par, table, x_frac, shift, y_bits; types in_t, out_t
template <class CFG>
void gate_q(stream<vec<typename CFG::in_t, CFG::par> > &in, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> v = in.read();
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const fx::i64 x = fx::get(v[j]);
        y[j] = typename CFG::out_t(i0 + j < ROW ? fx::sat(fx::round_shift(x * fx::gate(CFG::table, x, CFG::x_frac), CFG::shift), CFG::y_bits) : 0);
      }
      out.write(y);
    }
}

// llm.SwiGLU: y = sat(round_shift(g * sigmoid(g) * u, fg + 16 + fu - fy)).
//   CFG::size, rows, row, par, g_frac, shift, y_bits; types in_t, out_t
template <class CFG>
void swiglu_q(stream<vec<typename CFG::in_t, CFG::par> > &gate_in, stream<vec<typename CFG::in_t, CFG::par> > &up,
              stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> gv = gate_in.read();
      const vec<typename CFG::in_t, CFG::par> uv = up.read();
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const fx::i64 g = fx::get(gv[j]);
        const fx::i64 u = fx::get(uv[j]);
        y[j] = typename CFG::out_t(i0 + j < ROW ? fx::sat(fx::round_shift(g * fx::gate(0, g, CFG::g_frac) * u, CFG::shift), CFG::y_bits) : 0);
      }
      out.write(y);
    }
}

// Add: F = max(fa, fb); y = sat(round_shift(a * 2^(F - fa) + b * 2^(F - fb), F - fy)).
//   CFG::size, rows, row, par, period (add_q_const), a_shift (F - fa), b_shift (F - fb), shift (F - fy), y_bits
template <class CFG>
void add_q(stream<vec<typename CFG::in_t, CFG::par> > &a, stream<vec<typename CFG::in_t, CFG::par> > &b,
           stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par, ROW = CFG::row;
  for (int r = 0; r < CFG::rows; r++)
    for (int i0 = 0; i0 < ROW; i0 += L) {
      LLM2HLS_PIPELINE_LOOP(1)
      const vec<typename CFG::in_t, CFG::par> av = a.read();
      const vec<typename CFG::in_t, CFG::par> bv = b.read();
      vec<typename CFG::out_t, CFG::par> y;
      LLM2HLS_LOOP_UNROLL(CFG::par)
      for (int j = 0; j < L; j++) {
        LLM2HLS_UNROLL(CFG::par)
        const fx::i64 x = fx::get(av[j]) * (fx::i64(1) << CFG::a_shift);
        const fx::i64 z = fx::get(bv[j]) * (fx::i64(1) << CFG::b_shift);
        y[j] = typename CFG::out_t(i0 + j < ROW ? fx::sat(fx::round_shift(x + z, CFG::shift), CFG::y_bits) : 0);
      }
      out.write(y);
    }
}

/** The constant's lanes: CFG::par divides the row and the period, so a beat never wraps the period. */
template <class CFG>
void add_q_const(stream<vec<typename CFG::in_t, CFG::par> > &a, const int *c, stream<vec<typename CFG::out_t, CFG::par> > &out) {
  const int L = CFG::par;
  int p0 = 0;
  for (int i0 = 0; i0 < CFG::size; i0 += L) {
    LLM2HLS_PIPELINE_LOOP(1)
    const vec<typename CFG::in_t, CFG::par> av = a.read();
    vec<typename CFG::out_t, CFG::par> y;
    LLM2HLS_LOOP_UNROLL(CFG::par)
    for (int j = 0; j < L; j++) {
      LLM2HLS_UNROLL(CFG::par)
      const fx::i64 x = fx::get(av[j]) * (fx::i64(1) << CFG::a_shift);
      const fx::i64 z = fx::i64(c[p0 + j]) * (fx::i64(1) << CFG::b_shift);
      y[j] = typename CFG::out_t(fx::sat(fx::round_shift(x + z, CFG::shift), CFG::y_bits));
    }
    out.write(y);
    p0 = p0 + L == CFG::period ? 0 : p0 + L;
  }
}

// llm.Attention with the KV cache in external memory (layout as llm2hls_attention.h).
//   t_j = sat32(round_shift(dot_j * score_m, score_shift)); M = max t; e_j = exp2_neg(M - t_j);
//   (r, k) = recip(sum e); p_j = round_shift(e_j * r, k + 16 - 15); y = sat(round_shift(sum p_j v_j, 15 + fv - fy)).
//   CFG:: tokens, new_keys, past, cache_len, heads, kv_heads, head_dim, v_head_dim, causal,
//         score_m, score_shift, out_shift, y_bits; types in_t, kv_t, out_t
/** Output row of query i over cache rows 0..last (see attention_q). */
template <class CFG>
void attention_q_query(int i, const typename CFG::in_t *qrow, const typename CFG::kv_t *k_cache, const typename CFG::kv_t *v_cache,
                       typename CFG::out_t *orow) {
  const int L = CFG::cache_len, H = CFG::heads, HK = CFG::kv_heads, HD = CFG::head_dim, HDV = CFG::v_head_dim;
  const int group = H / HK, offset = L - CFG::tokens;
  fx::i64 ts[CFG::cache_len];
  fx::i64 acc[CFG::v_head_dim];
  for (int h = 0; h < H; h++) {
    const int g = h / group;
    int last = CFG::causal ? i + offset : L - 1;
    if (last > L - 1) last = L - 1;
    for (int d = 0; d < HDV; d++) acc[d] = 0;
    if (last >= 0) {
      fx::i64 mx = 0;
      for (int j = 0; j <= last; j++) {
        fx::i64 dot = 0;
        for (int d = 0; d < HD; d++) {
          LLM2HLS_PIPELINE_LOOP(1)
          dot += fx::get(qrow[h * HD + d]) * fx::get(k_cache[(g * L + j) * HD + d]);
        }
        ts[j] = fx::sat(fx::round_shift(dot * CFG::score_m, CFG::score_shift), 32);
        if (j == 0 || ts[j] > mx) mx = ts[j];
      }
      fx::i64 z = 0;
      for (int j = 0; j <= last; j++) {
        LLM2HLS_PIPELINE_LOOP(1)
        ts[j] = fx::exp2_neg(mx - ts[j]);
        z += ts[j];
      }
      fx::i64 r;
      int kk;
      fx::recip(z, r, kk);
      for (int j = 0; j <= last; j++) {
        const fx::i64 pj = fx::round_shift(ts[j] * r, kk + 16 - 15);
        for (int d = 0; d < HDV; d++) {
          LLM2HLS_PIPELINE_LOOP(1)
          acc[d] += pj * fx::get(v_cache[(g * L + j) * HDV + d]);
        }
      }
    }
    for (int d = 0; d < HDV; d++) {
      LLM2HLS_PIPELINE_LOOP(1)
      orow[h * HDV + d] = typename CFG::out_t(last < 0 ? 0 : fx::sat(fx::round_shift(acc[d], CFG::out_shift), CFG::y_bits));
    }
  }
}

template <class CFG>
void attention_q_append(int t, stream<vec<typename CFG::in_t, CFG::lanes> > &k, stream<vec<typename CFG::in_t, CFG::lanes> > &v,
                        typename CFG::kv_t *k_cache, typename CFG::kv_t *v_cache) {
  append_row<CFG::kv_heads, CFG::head_dim, CFG::lanes>(k, k_cache, CFG::cache_len, CFG::past + t);
  append_row<CFG::kv_heads, CFG::v_head_dim, CFG::lanes>(v, v_cache, CFG::cache_len, CFG::past + t);
}

// llm.Attention with the KV cache in external memory (layout and token order as llm2hls_attention.h).
//   t_j = sat32(round_shift(dot_j * score_m, score_shift)); M = max t; e_j = exp2_neg(M - t_j);
//   (r, k) = recip(sum e); p_j = round_shift(e_j * r, k + 16 - 15); y = sat(round_shift(sum p_j v_j, 15 + fv - fy)).
//   CFG:: tokens, new_keys, past, cache_len, heads, kv_heads, head_dim, v_head_dim, causal,
//         score_m, score_shift, out_shift, y_bits; types in_t, kv_t, out_t
template <class CFG>
void attention_q(stream<vec<typename CFG::in_t, CFG::lanes> > &q, stream<vec<typename CFG::in_t, CFG::lanes> > &k,
                 stream<vec<typename CFG::in_t, CFG::lanes> > &v, typename CFG::kv_t *k_cache, typename CFG::kv_t *v_cache,
                 stream<vec<typename CFG::out_t, CFG::lanes> > &out) {
  const int T_ = CFG::tokens, S = CFG::new_keys, QW = CFG::heads * CFG::head_dim;
  const int ROWS = T_ > S ? T_ : S;
  static typename CFG::in_t qbuf[CFG::tokens * CFG::heads * CFG::head_dim];
  typename CFG::out_t orow[CFG::heads * CFG::v_head_dim];
  if (CFG::causal && S == T_) {
    for (int t = 0; t < T_; t++) {
      attention_q_append<CFG>(t, k, v, k_cache, v_cache);
      read_row<CFG::heads * CFG::head_dim, CFG::lanes>(q, qbuf);
      attention_q_query<CFG>(t, qbuf, k_cache, v_cache, orow);
      write_row<CFG::heads * CFG::v_head_dim, CFG::lanes>(orow, out);
    }
    return;
  }
  for (int t = 0; t < ROWS; t++) {
    if (t < S) attention_q_append<CFG>(t, k, v, k_cache, v_cache);
    if (t < T_) read_row<CFG::heads * CFG::head_dim, CFG::lanes>(q, qbuf + t * QW);
  }
  for (int i = 0; i < T_; i++) {
    attention_q_query<CFG>(i, qbuf + i * QW, k_cache, v_cache, orow);
    write_row<CFG::heads * CFG::v_head_dim, CFG::lanes>(orow, out);
  }
}

}  // namespace llm2hls
#endif
