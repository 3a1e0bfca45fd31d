/**
 * Buggy/fixed pairs, one or more per Chrysalis class, written from the class
 * descriptions (issue #11) in varied styles: <= loops, nested loops, pointer
 * parameters, macros, templates, pragmas before function headers. Every
 * `bug` must raise its class; every `ok` must raise nothing at all.
 */
export interface Pair { cls: string; name: string; bug: string; ok: string; defines?: Record<string, string> }

export const PAIRS: Pair[] = [
  // ---------------------------------------------------------------- OOB
  {
    cls: 'OOB', name: '<= loop over a #define extent',
    bug: `#define N 32
void scale(int a[N], int b[N]) {
  for (int i = 0; i <= N; i++) {
#pragma HLS pipeline II=1
    b[i] = a[i] * 3;
  }
}`,
    ok: `#define N 32
void scale(int a[N], int b[N]) {
  for (int i = 0; i < N; i++) {
#pragma HLS pipeline II=1
    b[i] = a[i] * 3;
  }
}`,
  },
  {
    cls: 'OOB', name: 'i + 1 neighbour in a nested loop, const extents',
    bug: `const int ROWS = 8;
const int COLS = 16;
void diff(const short img[ROWS][COLS], short out[ROWS][COLS]) {
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS; ++c)
      out[r][c] = img[r][c + 1] - img[r][c];
}`,
    ok: `const int ROWS = 8;
const int COLS = 16;
void diff(const short img[ROWS][COLS], short out[ROWS][COLS]) {
  for (int r = 0; r < ROWS; ++r)
    for (int c = 0; c < COLS - 1; ++c)
      out[r][c] = img[r][c + 1] - img[r][c];
}`,
  },
  {
    cls: 'OOB', name: 'template extent, unknown N, local buffer',
    bug: `template <int N>
void window(hls::stream<int> &in, hls::stream<int> &out) {
  int buf[N];
  for (int i = 0; i < N; i++) buf[i] = in.read();
  for (int i = N; i > 0; i--) out.write(buf[i]);
}`,
    ok: `template <int N>
void window(hls::stream<int> &in, hls::stream<int> &out) {
  int buf[N];
  for (int i = 0; i < N; i++) buf[i] = in.read();
  for (int i = N; i > 0; i--) out.write(buf[i - 1]);
}`,
  },
  {
    cls: 'OOB', name: 'constant index past a -D extent',
    defines: { TAPS: '4' },
    bug: `int fir(int x, int coef[TAPS]) {
  static int shift[TAPS];
  shift[TAPS] = x;
  return shift[0] * coef[0];
}`,
    ok: `int fir(int x, int coef[TAPS]) {
  static int shift[TAPS];
  shift[TAPS - 1] = x;
  return shift[0] * coef[0];
}`,
  },
  {
    cls: 'OOB', name: 'guarded neighbour is fine',
    bug: `#define W 10
void blur(int in[W], int out[W]) {
  for (int i = 0; i < W; i++) out[i] = (in[i] + in[i + 1]) / 2;
}`,
    ok: `#define W 10
void blur(int in[W], int out[W]) {
  for (int i = 0; i < W; i++) out[i] = i + 1 < W ? (in[i] + in[i + 1]) / 2 : in[i];
}`,
  },
  // ---------------------------------------------------------------- INIT
  {
    cls: 'INIT', name: 'accumulator without its zero',
    bug: `int dot(const int a[64], const int b[64]) {
  int acc;
  for (int i = 0; i < 64; i++) {
#pragma HLS pipeline
    acc += a[i] * b[i];
  }
  return acc;
}`,
    ok: `int dot(const int a[64], const int b[64]) {
  int acc = 0;
  for (int i = 0; i < 64; i++) {
#pragma HLS pipeline
    acc += a[i] * b[i];
  }
  return acc;
}`,
  },
  {
    cls: 'INIT', name: 'ap_int local read in an expression',
    bug: `typedef ap_int<18> acc_t;
void mac(hls::stream<acc_t> &in, hls::stream<acc_t> &out) {
  acc_t best;
  for (int i = 0; i < 16; i++) {
    acc_t v = in.read();
    if (v > best) best = v;
  }
  out.write(best);
}`,
    ok: `typedef ap_int<18> acc_t;
void mac(hls::stream<acc_t> &in, hls::stream<acc_t> &out) {
  acc_t best = in.read();
  for (int i = 1; i < 16; i++) {
    acc_t v = in.read();
    if (v > best) best = v;
  }
  out.write(best);
}`,
  },
  {
    cls: 'INIT', name: 'local array accumulated before it is cleared',
    bug: `#define BINS 16
void histogram(const unsigned char *px, int n, int hist[BINS]) {
  int local[BINS];
  for (int i = 0; i < n; i++) local[px[i] % BINS] += 1;
  for (int b = 0; b < BINS; b++) hist[b] = local[b];
}`,
    ok: `#define BINS 16
void histogram(const unsigned char *px, int n, int hist[BINS]) {
  int local[BINS];
  for (int b = 0; b < BINS; b++) local[b] = 0;
  for (int i = 0; i < n; i++) local[px[i] % BINS] += 1;
  for (int b = 0; b < BINS; b++) hist[b] = local[b];
}`,
  },
  // ---------------------------------------------------------------- SHFT
  {
    cls: 'SHFT', name: 'ap_uint<W> shifted by W',
    bug: `#define W 12
ap_uint<W> rotl(ap_uint<W> x, int k) {
  ap_uint<W> hi = x << 3;
  ap_uint<W> lo = x >> W;
  return hi | lo;
}`,
    ok: `#define W 12
ap_uint<W> rotl(ap_uint<W> x, int k) {
  ap_uint<W> hi = x << 3;
  ap_uint<W> lo = x >> (W - 3);
  return hi | lo;
}`,
  },
  {
    cls: 'SHFT', name: 'mask loop with <= 32',
    bug: `unsigned popmask(unsigned v) {
  unsigned count = 0;
  for (int b = 0; b <= 32; b++) {
#pragma HLS unroll
    if (v & (1u << b)) count++;
  }
  return count;
}`,
    ok: `unsigned popmask(unsigned v) {
  unsigned count = 0;
  for (int b = 0; b < 32; b++) {
#pragma HLS unroll
    if (v & (1u << b)) count++;
  }
  return count;
}`,
  },
  {
    cls: 'SHFT', name: 'negative shift from a macro',
    bug: `#define FRAC 8
#define OUT_FRAC 10
int requant(int acc) {
  return acc >> (FRAC - OUT_FRAC);
}`,
    ok: `#define FRAC 10
#define OUT_FRAC 8
int requant(int acc) {
  return acc >> (FRAC - OUT_FRAC);
}`,
  },
  // ---------------------------------------------------------------- INF
  {
    cls: 'INF', name: 'unsigned counter down to >= 0',
    bug: `void reverse(const int in[16], int out[16]) {
  for (unsigned i = 15; i >= 0; i--) out[15 - i] = in[i];
}`,
    ok: `void reverse(const int in[16], int out[16]) {
  for (int i = 15; i >= 0; i--) out[15 - i] = in[i];
}`,
  },
  {
    cls: 'INF', name: 'counter moving away from its bound',
    bug: `#define N 64
void fill(int *dst) {
  for (int i = 0; i < N; i--) {
#pragma HLS pipeline
    dst[i] = 0;
  }
}`,
    ok: `#define N 64
void fill(int *dst) {
  for (int i = 0; i < N; i++) {
#pragma HLS pipeline
    dst[i] = 0;
  }
}`,
  },
  {
    cls: 'INF', name: 'narrow ap_uint counter',
    bug: `void clear(int buf[256]) {
  for (ap_uint<8> i = 0; i <= 255; i++) buf[i] = 0;
}`,
    ok: `void clear(int buf[256]) {
  for (ap_uint<9> i = 0; i <= 255; i++) buf[i] = 0;
}`,
  },
  {
    cls: 'INF', name: 'while loop whose counter never moves',
    bug: `int drain(hls::stream<int> &s, int n) {
  int i = 0, sum = 0;
  while (i < n) {
    sum += s.read();
  }
  return sum;
}`,
    ok: `int drain(hls::stream<int> &s, int n) {
  int i = 0, sum = 0;
  while (i < n) {
    sum += s.read();
    i++;
  }
  return sum;
}`,
  },
  // ---------------------------------------------------------------- APT
  {
    cls: 'APT', name: 'cyclic without factor',
    bug: `void sum8(int a[64], int *out) {
#pragma HLS array_partition variable=a cyclic dim=1
  int s = 0;
  for (int i = 0; i < 64; i++) s += a[i];
  *out = s;
}`,
    ok: `void sum8(int a[64], int *out) {
#pragma HLS array_partition variable=a cyclic factor=8 dim=1
  int s = 0;
  for (int i = 0; i < 64; i++) s += a[i];
  *out = s;
}`,
  },
  {
    cls: 'APT', name: 'complete with a factor (Vitis 2022 syntax, pragma before header)',
    bug: `#pragma HLS inline off
void lut(const short table[32], short idx, short *y) {
#pragma HLS ARRAY_PARTITION variable=table type=complete factor=4
  *y = table[idx & 31];
}`,
    ok: `#pragma HLS inline off
void lut(const short table[32], short idx, short *y) {
#pragma HLS ARRAY_PARTITION variable=table type=complete
  *y = table[idx & 31];
}`,
  },
  // ---------------------------------------------------------------- FND
  {
    cls: 'FND', name: 'factor 3 on 16 elements',
    bug: `#define LEN 16
void vadd(int a[LEN], int b[LEN], int c[LEN]) {
#pragma HLS array_partition variable=a block factor=3
  for (int i = 0; i < LEN; i++) c[i] = a[i] + b[i];
}`,
    ok: `#define LEN 16
void vadd(int a[LEN], int b[LEN], int c[LEN]) {
#pragma HLS array_partition variable=a block factor=4
  for (int i = 0; i < LEN; i++) c[i] = a[i] + b[i];
}`,
  },
  {
    cls: 'FND', name: 'second dimension of a local matrix, constexpr',
    bug: `constexpr int R = 4;
constexpr int C = 10;
void tile(int in[R][C], int out[R][C]) {
  int m[R][C];
#pragma HLS array_partition variable=m cyclic factor=4 dim=2
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) m[i][j] = in[i][j];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) out[i][j] = m[i][j];
}`,
    ok: `constexpr int R = 4;
constexpr int C = 10;
void tile(int in[R][C], int out[R][C]) {
  int m[R][C];
#pragma HLS array_partition variable=m cyclic factor=5 dim=2
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) m[i][j] = in[i][j];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) out[i][j] = m[i][j];
}`,
  },
  // ---------------------------------------------------------------- DID
  {
    cls: 'DID', name: 'dim=2 on a 1-D array',
    bug: `void shift_reg(int x, int taps[8]) {
#pragma HLS array_partition variable=taps complete dim=2
  for (int i = 7; i > 0; i--) taps[i] = taps[i - 1];
  taps[0] = x;
}`,
    ok: `void shift_reg(int x, int taps[8]) {
#pragma HLS array_partition variable=taps complete dim=1
  for (int i = 7; i > 0; i--) taps[i] = taps[i - 1];
  taps[0] = x;
}`,
  },
  {
    cls: 'DID', name: 'dim=3 on a 2-D local',
    bug: `void mm(const int A[4][4], const int B[4][4], int Cm[4][4]) {
  int acc[4][4];
#pragma HLS array_partition variable=acc dim=3 complete
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      acc[i][j] = 0;
      for (int k = 0; k < 4; k++) acc[i][j] += A[i][k] * B[k][j];
      Cm[i][j] = acc[i][j];
    }
}`,
    ok: `void mm(const int A[4][4], const int B[4][4], int Cm[4][4]) {
  int acc[4][4];
#pragma HLS array_partition variable=acc dim=0 complete
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      acc[i][j] = 0;
      for (int k = 0; k < 4; k++) acc[i][j] += A[i][k] * B[k][j];
      Cm[i][j] = acc[i][j];
    }
}`,
  },
  // ---------------------------------------------------------------- DFP
  {
    cls: 'DFP', name: 'dataflow before the function header',
    bug: `void load(int *in, hls::stream<int> &s);
void store(hls::stream<int> &s, int *out);
#pragma HLS dataflow
void top(int *in, int *out) {
  hls::stream<int> s;
  load(in, s);
  store(s, out);
}`,
    ok: `void load(int *in, hls::stream<int> &s);
void store(hls::stream<int> &s, int *out);
void top(int *in, int *out) {
#pragma HLS dataflow
  hls::stream<int> s;
  load(in, s);
  store(s, out);
}`,
  },
  {
    cls: 'DFP', name: 'dataflow inside a branch',
    bug: `void top(int *in, int *out, int mode) {
  hls::stream<int> s;
  if (mode) {
#pragma HLS dataflow
    read_in(in, s);
    write_out(s, out);
  }
}`,
    ok: `void top(int *in, int *out, int mode) {
#pragma HLS dataflow
  hls::stream<int> s;
  read_in(in, s, mode);
  write_out(s, out, mode);
}`,
  },
  {
    cls: 'DFP', name: 'dataflow over a single task',
    bug: `void top(int in[64], int out[64]) {
#pragma HLS dataflow
  for (int i = 0; i < 64; i++) out[i] = in[i] + 1;
}`,
    ok: `void top(int in[64], int out[64]) {
#pragma HLS dataflow
  int mid[64];
  for (int i = 0; i < 64; i++) mid[i] = in[i] + 1;
  for (int i = 0; i < 64; i++) out[i] = mid[i] * 2;
}`,
  },
  // ---------------------------------------------------------------- IDAP
  {
    cls: 'IDAP', name: 'ap_fifo array read in reverse',
    bug: `void rev(int in[32], int out[32]) {
#pragma HLS interface mode=ap_fifo port=in
  for (int i = 0; i < 32; i++) out[i] = in[31 - i];
}`,
    ok: `void rev(int in[32], int out[32]) {
#pragma HLS interface mode=ap_fifo port=in
  int buf[32];
  for (int i = 0; i < 32; i++) buf[i] = in[i];
  for (int i = 0; i < 32; i++) out[i] = buf[31 - i];
}`,
  },
  {
    cls: 'IDAP', name: 'axis pointer read twice (old pragma syntax)',
    bug: `void norm(int *x, int *y) {
#pragma HLS INTERFACE axis port=x
#pragma HLS INTERFACE axis port=y
  int m = 0;
  for (int i = 0; i < 16; i++) if (x[i] > m) m = x[i];
  for (int i = 0; i < 16; i++) y[i] = x[i] - m;
}`,
    ok: `void norm(int *x, int *y) {
#pragma HLS INTERFACE axis port=x
#pragma HLS INTERFACE axis port=y
  int buf[16];
  int m = 0;
  for (int i = 0; i < 16; i++) { buf[i] = x[i]; if (buf[i] > m) m = buf[i]; }
  for (int i = 0; i < 16; i++) y[i] = buf[i] - m;
}`,
  },
  // ---------------------------------------------------------------- RAMB
  {
    cls: 'RAMB', name: 'gather through an index array',
    bug: `void gather(const float *table, const int idx[256], float out[256]) {
#pragma HLS interface mode=m_axi port=table offset=slave bundle=gmem
  for (int i = 0; i < 256; i++) {
#pragma HLS pipeline II=1
    out[i] = table[idx[i]];
  }
}`,
    ok: `void gather(const float *table, const int idx[256], float out[256]) {
#pragma HLS interface mode=m_axi port=table offset=slave bundle=gmem
  float local[256];
  for (int i = 0; i < 256; i++) {
#pragma HLS pipeline II=1
    local[i] = table[i];
  }
  for (int i = 0; i < 256; i++) {
#pragma HLS pipeline II=1
    out[i] = local[idx[i] & 255];
  }
}`,
  },
  {
    cls: 'RAMB', name: 'column walk of a row-major matrix',
    bug: `#define DIM 64
void colsum(const int *m, int out[DIM]) {
#pragma HLS INTERFACE m_axi port=m depth=4096
  for (int c = 0; c < DIM; c++) {
    int s = 0;
    for (int r = 0; r < DIM; r++) {
#pragma HLS pipeline
      s += m[r * DIM + c];
    }
    out[c] = s;
  }
}`,
    ok: `#define DIM 64
void colsum(const int *m, int out[DIM]) {
#pragma HLS INTERFACE m_axi port=m depth=4096
  int acc[DIM];
  for (int c = 0; c < DIM; c++) acc[c] = 0;
  for (int r = 0; r < DIM; r++)
    for (int c = 0; c < DIM; c++) {
#pragma HLS pipeline
      acc[c] += m[r * DIM + c];
    }
  for (int c = 0; c < DIM; c++) out[c] = acc[c];
}`,
  },
  // ---------------------------------------------------------------- SMA
  {
    cls: 'SMA', name: 'scalar length on m_axi',
    bug: `void copy(int *src, int *dst, int len) {
#pragma HLS interface mode=m_axi port=src
#pragma HLS interface mode=m_axi port=dst
#pragma HLS interface mode=m_axi port=len
  for (int i = 0; i < len; i++) dst[i] = src[i];
}`,
    ok: `void copy(int *src, int *dst, int len) {
#pragma HLS interface mode=m_axi port=src
#pragma HLS interface mode=m_axi port=dst
#pragma HLS interface mode=s_axilite port=len
  for (int i = 0; i < len; i++) dst[i] = src[i];
}`,
  },
  {
    cls: 'SMA', name: 'ap_int scalar on bram',
    bug: `ap_int<16> clip(ap_int<16> x, ap_int<16> lim) {
#pragma HLS INTERFACE bram port=lim
  return x > lim ? lim : x;
}`,
    ok: `ap_int<16> clip(ap_int<16> x, ap_int<16> lim) {
#pragma HLS INTERFACE ap_none port=lim
  return x > lim ? lim : x;
}`,
  },
  // ---------------------------------------------------------------- AMS
  {
    cls: 'AMS', name: 'array on ap_none',
    bug: `void mix(int coeffs[8], int x, int *y) {
#pragma HLS interface mode=ap_none port=coeffs
  int s = 0;
  for (int i = 0; i < 8; i++) s += coeffs[i] * x;
  *y = s;
}`,
    ok: `void mix(int coeffs[8], int x, int *y) {
#pragma HLS interface mode=ap_memory port=coeffs
  int s = 0;
  for (int i = 0; i < 8; i++) s += coeffs[i] * x;
  *y = s;
}`,
  },
  {
    cls: 'AMS', name: 'pointer walked as an array on ap_vld (a scalar pointer output is fine)',
    bug: `void stats(const int *v, int *mx) {
#pragma HLS INTERFACE ap_vld port=v
#pragma HLS INTERFACE ap_vld port=mx
  int m = v[0];
  for (int i = 1; i < 10; i++) if (v[i] > m) m = v[i];
  *mx = m;
}`,
    ok: `void stats(const int *v, int *mx) {
#pragma HLS INTERFACE m_axi port=v
#pragma HLS INTERFACE ap_vld port=mx
  int m = v[0];
  for (int i = 1; i < 10; i++) if (v[i] > m) m = v[i];
  *mx = m;
}`,
  },
  // ---------------------------------------------------------------- MLP
  {
    cls: 'MLP', name: 'pipeline in a loop inside a pipelined loop',
    bug: `void conv(const int in[8][8], int out[8][8]) {
  for (int r = 0; r < 8; r++) {
#pragma HLS pipeline II=1
    for (int c = 0; c < 8; c++) {
#pragma HLS pipeline II=1
      out[r][c] = in[r][c] * 2;
    }
  }
}`,
    ok: `void conv(const int in[8][8], int out[8][8]) {
  for (int r = 0; r < 8; r++) {
    for (int c = 0; c < 8; c++) {
#pragma HLS pipeline II=1
      out[r][c] = in[r][c] * 2;
    }
  }
}`,
  },
  {
    cls: 'MLP', name: 'pipelined loop in a pipelined function (labels)',
    bug: `void relu(int x[16], int y[16]) {
#pragma HLS PIPELINE
  loop_relu: for (int i = 0; i < 16; i++) {
#pragma HLS PIPELINE II=1
    y[i] = x[i] > 0 ? x[i] : 0;
  }
}`,
    ok: `void relu(int x[16], int y[16]) {
#pragma HLS PIPELINE
  loop_relu: for (int i = 0; i < 16; i++) {
#pragma HLS UNROLL
    y[i] = x[i] > 0 ? x[i] : 0;
  }
}`,
  },
  // ---------------------------------------------------------------- ILNU
  {
    cls: 'ILNU', name: 'partial unroll over an inner loop',
    bug: `#define N 16
#define M 32
void mat(int a[N][M], int s[N]) {
  for (int i = 0; i < N; i++) {
#pragma HLS unroll factor=4
    int t = 0;
    for (int j = 0; j < M; j++) t += a[i][j];
    s[i] = t;
  }
}`,
    ok: `#define N 16
#define M 32
void mat(int a[N][M], int s[N]) {
  for (int i = 0; i < N; i++) {
#pragma HLS unroll factor=4
    int t = 0;
    for (int j = 0; j < M; j++) {
#pragma HLS unroll
      t += a[i][j];
    }
    s[i] = t;
  }
}`,
  },
  {
    cls: 'ILNU', name: 'template factor, inner loop pipelined',
    bug: `template <int P, int K>
void lanes(const int *x, int *y) {
  for (int p = 0; p < 64; p++) {
#pragma HLS UNROLL factor=P
    int acc = 0;
    for (int k = 0; k < K; k++) {
#pragma HLS PIPELINE
      acc += x[p * K + k];
    }
    y[p] = acc;
  }
}
void top(const int *x, int *y) { lanes<4, 8>(x, y); }`,
    ok: `template <int P, int K>
void lanes(const int *x, int *y) {
  for (int p = 0; p < 64; p++) {
#pragma HLS UNROLL factor=P
    int acc = 0;
    for (int k = 0; k < K; k++) {
#pragma HLS UNROLL
      acc += x[p * K + k];
    }
    y[p] = acc;
  }
}
void top(const int *x, int *y) { lanes<4, 8>(x, y); }`,
  },
  // ---------------------------------------------------------------- styles of real libraries
  {
    cls: 'OOB', name: 'CONFIG_T struct members as extents (hls4ml style), index through a local',
    bug: `template <class data_T, class res_T, typename CONFIG_T>
void relu(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (int ii = 0; ii < CONFIG_T::n_in; ii++) {
    int next = ii + 1;
    data_T datareg = data[next];
    if (datareg > 0) res[ii] = datareg;
    else res[ii] = 0;
  }
}`,
    ok: `template <class data_T, class res_T, typename CONFIG_T>
void relu(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
  #pragma HLS PIPELINE
  for (int ii = 0; ii < CONFIG_T::n_in; ii++) {
    int here = ii;
    data_T datareg = data[here];
    if (datareg > 0) res[ii] = datareg;
    else res[ii] = 0;
  }
}`,
  },
  {
    cls: 'RAMB', name: 'running counter is sequential, a hashed address is not',
    bug: `void scatter(const int *keys, int *mem, int n) {
#pragma HLS INTERFACE m_axi port=mem
  for (int i = 0; i < n; i++) {
#pragma HLS PIPELINE II=1
    int slot = (keys[i] * 2654435761u) >> 20;
    mem[slot] = i;
  }
}`,
    ok: `void scatter(const int *keys, int *mem, int n) {
#pragma HLS INTERFACE m_axi port=mem
  int w = 0;
  for (int i = 0; i < n; i++) {
#pragma HLS PIPELINE II=1
    if (keys[i] != 0) {
      mem[w] = i;
      w++;
    }
  }
}`,
  },
  {
    cls: 'DFP', name: 'a branch on template constants is settled before synthesis',
    bug: `template <typename CONFIG_T>
void layer(int *in, int *out, int serial) {
  if (serial) {
    #pragma HLS DATAFLOW
    stage_a<CONFIG_T>(in);
    stage_b<CONFIG_T>(out);
  }
}`,
    ok: `template <typename CONFIG_T>
void layer(int *in, int *out) {
  if (CONFIG_T::io_type == io_serial) {
    #pragma HLS DATAFLOW
    stage_a<CONFIG_T>(in);
    stage_b<CONFIG_T>(out);
  }
}`,
  },
  {
    cls: 'INF', name: 'do-while whose counter the update leaves alone',
    bug: `void pack(hls::stream<ap_uint<8> > &in, hls::stream<ap_uint<32> > &out) {
  int k = 0;
  ap_uint<32> word = 0;
  do {
    word = (word << 8) | in.read();
  } while (k < 4);
  out.write(word);
}`,
    ok: `void pack(hls::stream<ap_uint<8> > &in, hls::stream<ap_uint<32> > &out) {
  int k = 0;
  ap_uint<32> word = 0;
  do {
    word = (word << 8) | in.read();
    k++;
  } while (k < 4);
  out.write(word);
}`,
  },
  {
    cls: 'SHFT', name: 'typedef width, shift inside a pipelined loop',
    bug: `typedef ap_uint<16> pixel_t;
void gray(pixel_t in[64], ap_uint<8> out[64]) {
  for (int i = 0; i < 64; i++) {
#pragma HLS PIPELINE II=1
    pixel_t p = in[i];
    out[i] = p >> 16;
  }
}`,
    ok: `typedef ap_uint<16> pixel_t;
void gray(pixel_t in[64], ap_uint<8> out[64]) {
  for (int i = 0; i < 64; i++) {
#pragma HLS PIPELINE II=1
    pixel_t p = in[i];
    out[i] = p >> 8;
  }
}`,
  },
  // ---------------------------------------------------------------- semantic classes: warnings
  {
    cls: 'USE', name: 'signed bytes OR-ed into a word',
    bug: `ap_uint<32> pack(const signed char b[4]) {
  ap_uint<32> w = 0;
  for (int i = 0; i < 4; i++) w = (w << 8) | b[i];
  return w;
}`,
    ok: `ap_uint<32> pack(const unsigned char b[4]) {
  ap_uint<32> w = 0;
  for (int i = 0; i < 4; i++) w = (w << 8) | b[i];
  return w;
}`,
  },
  {
    cls: 'USE', name: 'narrowing to signed, then widening into unsigned',
    bug: `void widen(const int in[16], unsigned int out[16]) {
  for (int i = 0; i < 16; i++) {
    unsigned int v = (int8_t)in[i];
    out[i] = v;
  }
}`,
    ok: `void widen(const int in[16], unsigned int out[16]) {
  for (int i = 0; i < 16; i++) {
    unsigned int v = (uint8_t)in[i];
    out[i] = v;
  }
}`,
  },
  {
    cls: 'MLU', name: 'unrolled by hand, one index skipped',
    bug: `int sum8(const int a[64]) {
  int s = 0;
  for (int i = 0; i < 64; i += 4) {
    s += a[i + 0];
    s += a[i + 1];
    s += a[i + 3];
    s += a[i + 4];
  }
  return s;
}`,
    ok: `int sum8(const int a[64]) {
  int s = 0;
  for (int i = 0; i < 64; i += 4) {
    s += a[i + 0];
    s += a[i + 1];
    s += a[i + 2];
    s += a[i + 3];
  }
  return s;
}`,
  },
  {
    cls: 'MLU', name: 'loop steps by 4, body has 3 copies',
    bug: `void copy(const int *src, int *dst) {
  for (int i = 0; i < 256; i += 4) {
    dst[i] = src[i];
    dst[i + 1] = src[i + 1];
    dst[i + 2] = src[i + 2];
  }
}`,
    ok: `void copy(const int *src, int *dst) {
  for (int i = 0; i < 256; i += 4) {
    dst[i] = src[i];
    dst[i + 1] = src[i + 1];
    dst[i + 2] = src[i + 2];
    dst[i + 3] = src[i + 3];
  }
}`,
  },
  {
    cls: 'ZERO', name: 'product from zero',
    bug: `float prod(const float x[8]) {
  float p = 0;
  for (int i = 0; i < 8; i++) p *= x[i];
  return p;
}`,
    ok: `float prod(const float x[8]) {
  float p = 1;
  for (int i = 0; i < 8; i++) p *= x[i];
  return p;
}`,
  },
  {
    cls: 'ZERO', name: 'minimum from zero',
    bug: `unsigned short minval(const unsigned short v[32]) {
  unsigned short m = 0;
  for (int i = 0; i < 32; i++) if (v[i] < m) m = v[i];
  return m;
}`,
    ok: `unsigned short minval(const unsigned short v[32]) {
  unsigned short m = 65535;
  for (int i = 0; i < 32; i++) if (v[i] < m) m = v[i];
  return m;
}`,
  },
  {
    cls: 'BUF', name: 'both halves copy the same element',
    bug: `#define N 32
void split(const int buf[2 * N], int lo[N], int hi[N]) {
  for (int i = 0; i < N; i++) {
    lo[i] = buf[i];
    hi[i] = buf[i];
  }
}`,
    ok: `#define N 32
void split(const int buf[2 * N], int lo[N], int hi[N]) {
  for (int i = 0; i < N; i++) {
    lo[i] = buf[i];
    hi[i] = buf[i + N];
  }
}`,
  },
  {
    cls: 'MLP', name: 'code under #if 0 is not the design',
    bug: `void f(int *in, int out[8]) {
#pragma HLS interface mode=ap_fifo port=in
  for (int i = 0; i < 8; i++) {
#pragma HLS pipeline
#if 1
    for (int j = 0; j < 4; j++) {
#pragma HLS pipeline
      out[i] += j;
    }
#endif
    out[i] = *in;
  }
}`,
    ok: `void f(int *in, int out[8]) {
#pragma HLS interface mode=ap_fifo port=in
  for (int i = 0; i < 8; i++) {
#pragma HLS pipeline
#if 0
    for (int j = 0; j < 4; j++) {
#pragma HLS pipeline
      out[i] += j;
    }
#endif
    out[i] = *in;
  }
}`,
  },
  {
    cls: 'OOB', name: 'while loop with a <= bound',
    bug: `#define LEN 12
int checksum(const unsigned char msg[LEN]) {
  int i = 0, sum = 0;
  while (i <= LEN) {
    sum += msg[i];
    i++;
  }
  return sum;
}`,
    ok: `#define LEN 12
int checksum(const unsigned char msg[LEN]) {
  int i = 0, sum = 0;
  while (i < LEN) {
    sum += msg[i];
    i++;
  }
  return sum;
}`,
  },
  {
    cls: 'INF', name: 'while loop counting the wrong way',
    bug: `void drain(hls::stream<int> &s, int out[32]) {
  int k = 0;
  while (k < 32) {
    out[k & 31] = s.read();
    k--;
  }
}`,
    ok: `void drain(hls::stream<int> &s, int out[32]) {
  int k = 0;
  while (k < 32) {
    out[k & 31] = s.read();
    k++;
  }
}`,
  },
  {
    cls: 'INIT', name: 'first-iteration writes are writes',
    bug: `float running(const float x[16], float y[16]) {
  float acc;
  for (int i = 0; i < 16; i++) {
    acc = acc + x[i];
    y[i] = acc;
  }
  return acc;
}`,
    ok: `float running(const float x[16], float y[16]) {
  float acc, best;
  for (int i = 0; i < 16; i++) {
    if (i > 0) acc += x[i];
    else acc = x[i];
    if (i == 0 || x[i] > best) best = x[i];
    y[i] = i == 0 ? acc : acc - best;
  }
  return acc + best;
}`,
  },
  {
    cls: 'INIT', name: 'typename CONFIG_T::accum_t accumulator in a template',
    bug: `template <class x_T, class w_T, typename CONFIG_T>
void dot(x_T x[CONFIG_T::n], w_T w[CONFIG_T::n], typename CONFIG_T::accum_t *y) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typename CONFIG_T::accum_t acc;
  for (int i = 0; i < CONFIG_T::n; i++) {
    #pragma HLS UNROLL
    acc += x[i] * w[i];
  }
  *y = acc;
}`,
    ok: `template <class x_T, class w_T, typename CONFIG_T>
void dot(x_T x[CONFIG_T::n], w_T w[CONFIG_T::n], typename CONFIG_T::accum_t *y) {
  #pragma HLS PIPELINE II=CONFIG_T::reuse_factor
  typename CONFIG_T::accum_t acc = 0;
  for (int i = 0; i < CONFIG_T::n; i++) {
    #pragma HLS UNROLL
    acc += x[i] * w[i];
  }
  *y = acc;
}`,
  },
  {
    cls: 'FND', name: 'pragma through a DO_PRAGMA helper macro',
    bug: `#define PRAGMA_SUB(x) _Pragma(#x)
#define DO_PRAGMA(x) PRAGMA_SUB(x)
#define FACTOR 3
void f(int a[16], int b[16]) {
  DO_PRAGMA(HLS array_partition variable=a cyclic factor=FACTOR)
  for (int i = 0; i < 16; i++) b[i] = a[i];
}`,
    ok: `#define PRAGMA_SUB(x) _Pragma(#x)
#define DO_PRAGMA(x) PRAGMA_SUB(x)
#define FACTOR 4
void f(int a[16], int b[16]) {
  DO_PRAGMA(HLS array_partition variable=a cyclic factor=FACTOR)
  for (int i = 0; i < 16; i++) b[i] = a[i];
}`,
  },
  {
    cls: 'RAMB', name: 'scattered: a loop variable scrambled into the address',
    bug: `#define SIZE 1024
void shuffle(const int *src, int dst[SIZE]) {
#pragma HLS INTERFACE mode=m_axi port=src bundle=gmem0
  for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II=1
    dst[i] = src[(i * 37) % SIZE];
  }
}`,
    ok: `#define SIZE 1024
void shuffle(const int *src, int dst[SIZE]) {
#pragma HLS INTERFACE mode=m_axi port=src bundle=gmem0
  int local[SIZE];
  for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II=1
    local[i] = src[i];
  }
  for (int i = 0; i < SIZE; i++) {
#pragma HLS PIPELINE II=1
    dst[i] = local[(i * 37) % SIZE];
  }
}`,
  },
  {
    cls: 'SHFT', name: 'int arithmetic shifted past 32 bits',
    bug: `unsigned long long place(unsigned char byte, int lane) {
  return (byte & 0xff) << 40;
}`,
    ok: `unsigned long long place(unsigned char byte, int lane) {
  return ((unsigned long long)byte & 0xff) << 40;
}`,
  },
  {
    cls: 'RAMB', name: 'interleaved pairs fill their own gaps; a stride of 2 alone does not',
    bug: `void mag(const short *iq, int out[512]) {
#pragma HLS INTERFACE m_axi port=iq depth=1024
  for (int i = 0; i < 512; i++) {
#pragma HLS PIPELINE II=1
    short re = iq[2 * i];
    out[i] = re * re;
  }
}`,
    ok: `void mag(const short *iq, int out[512]) {
#pragma HLS INTERFACE m_axi port=iq depth=1024
  for (int i = 0; i < 512; i++) {
#pragma HLS PIPELINE II=1
    short re = iq[2 * i];
    short im = iq[2 * i + 1];
    out[i] = re * re + im * im;
  }
}`,
  },
  {
    cls: 'IDAP', name: 'interleaved FIFO reads must come in order',
    bug: `void pairs(int in[64], int out[32]) {
#pragma HLS interface mode=ap_fifo port=in
  for (int i = 0; i < 32; i++) {
    int im = in[2 * i + 1];
    int re = in[2 * i];
    out[i] = re - im;
  }
}`,
    ok: `void pairs(int in[64], int out[32]) {
#pragma HLS interface mode=ap_fifo port=in
  for (int i = 0; i < 32; i++) {
    int re = in[2 * i];
    int im = in[2 * i + 1];
    out[i] = re - im;
  }
}`,
  },
];
