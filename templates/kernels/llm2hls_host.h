// llm2hls host types: a small, bit-accurate stand-in for the vendor headers
// (hls::stream / ac_channel, ap_fixed / ac_fixed, ap_int / ac_int) so a
// project's C simulation builds with plain g++ where Vitis HLS and Bambu
// cannot be installed. Selected by -DLLM2HLS_HOST_TYPES (make csim).
//
// fixed<W, I>: signed two's complement, W total bits (W <= 62), I integer
// bits (sign included), F = W - I fraction bits. Conversions from wider
// formats round half to even (AP_RND_CONV / AC_RND_CONV) and saturate
// (AP_SAT / AC_SAT), the modes llm2hls_types.h names for the vendor types.
#ifndef LLM2HLS_HOST_H
#define LLM2HLS_HOST_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>

namespace llm2hls {
namespace host {

__extension__ typedef __int128 wide_int;  // g++/clang builtin, for exact products and shifts

/** Set when a stream is destroyed holding data or read while empty; the testbench fails on it. */
inline int &stream_errors() {
  static int errors = 0;
  return errors;
}

/** An unbounded FIFO, like hls::stream in C simulation (dataflow tasks run in order). */
template <class T>
class stream {
 public:
  stream() {}
  explicit stream(const char *) {}
  stream(const stream &) = delete;
  stream &operator=(const stream &) = delete;
  ~stream() {
    if (!q_.empty()) {
      std::fprintf(stderr, "llm2hls csim: a stream was destroyed holding %zu element(s)\n", q_.size());
      stream_errors()++;
    }
  }
  T read() {
    if (q_.empty()) {
      std::fprintf(stderr, "llm2hls csim: read from an empty stream (a task consumes more than its producer writes)\n");
      stream_errors()++;
      std::exit(3);
    }
    T v = q_.front();
    q_.pop_front();
    return v;
  }
  void read(T &v) { v = read(); }
  void write(const T &v) { q_.push_back(v); }
  bool empty() const { return q_.empty(); }
  std::size_t size() const { return q_.size(); }

 private:
  std::deque<T> q_;
};

/** One stream beat: N lanes (lane 0 first in element order), as hls::vector<T, N> on Vitis. */
template <class T, int N>
struct vec {
  T v[N];
  T &operator[](int i) { return v[i]; }
  const T &operator[](int i) const { return v[i]; }
};

/** Rounds raw / 2^shift half to even (shift > 0), the AP_RND_CONV rule. */
inline int64_t round_shift(wide_int raw, int shift) {
  if (shift <= 0) return static_cast<int64_t>(raw << -shift);
  const wide_int one = 1;
  wide_int q = raw >> shift;  // floor
  wide_int rem = raw - (q << shift);
  wide_int half = one << (shift - 1);
  if (rem > half || (rem == half && (q & 1))) q += 1;
  return static_cast<int64_t>(q);
}

template <int W, int I>
class fixed {
  static_assert(W >= 2 && W <= 62, "host fixed<W, I> supports 2..62 bits");

 public:
  static const int F = W - I;
  static constexpr int64_t MAXR = (int64_t(1) << (W - 1)) - 1;
  static constexpr int64_t MINR = -(int64_t(1) << (W - 1));

  fixed() : raw_(0) {}
  fixed(double v) { set_double(v); }
  fixed(float v) { set_double(v); }
  fixed(int v) { set_scaled(static_cast<wide_int>(v), 0); }
  fixed(long v) { set_scaled(static_cast<wide_int>(v), 0); }
  fixed(long long v) { set_scaled(static_cast<wide_int>(v), 0); }
  template <int W2, int I2>
  fixed(const fixed<W2, I2> &o) { set_scaled(o.raw(), W2 - I2); }

  static fixed from_raw(int64_t r) {
    fixed f;
    f.raw_ = saturate(r);
    return f;
  }
  int64_t raw() const { return raw_; }
  double to_double() const { return std::ldexp(static_cast<double>(raw_), -F); }
  float to_float() const { return static_cast<float>(to_double()); }
  operator double() const { return to_double(); }

 private:
  static int64_t saturate(wide_int r) { return r > MAXR ? MAXR : r < MINR ? MINR : static_cast<int64_t>(r); }
  void set_scaled(wide_int r, int frac) {
    // r / 2^frac -> raw / 2^F
    if (frac <= F) {
      int s = F - frac;
      wide_int lim = static_cast<wide_int>(1) << 100;
      for (int i = 0; i < s; i++) {
        if (r > lim || r < -lim) break;
        r *= 2;
      }
      raw_ = saturate(r);
    } else {
      raw_ = saturate(round_shift(r, frac - F));
    }
  }
  void set_double(double v) {
    if (std::isnan(v)) { raw_ = 0; return; }
    double s = std::ldexp(v, F);
    if (s >= static_cast<double>(MAXR)) { raw_ = MAXR; return; }
    if (s <= static_cast<double>(MINR)) { raw_ = MINR; return; }
    raw_ = static_cast<int64_t>(std::nearbyint(s));  // default rounding mode: half to even
  }
  int64_t raw_;
};

}  // namespace host
}  // namespace llm2hls

#endif  // LLM2HLS_HOST_H
