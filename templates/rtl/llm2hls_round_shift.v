// llm2hls_round_shift: y = round_shift(x, s) of the numeric contract
// (llm2hls_fixed.h fx::round_shift): x * 2^-s rounded half to even for
// s > 0, the exact x * 2^-s for s <= 0. Combinational; s may be a constant
// (a kernel's shift parameter) or a signal (a per-channel shift from ROM).
//   right shift: (x + 2^(s-1) - 1 + x[s]) >>> s   (adds half, minus one unless
//                the kept LSB x[s] is odd: ties go to the even neighbour)
// Shifts beyond the width change nothing: s >= X_BITS gives 0 either way, and
// left shifts are clamped to LMAX, which is exact whenever the caller then
// saturates into at most LMAX bits (every nonzero x shifted by >= LMAX saturates).
`default_nettype none
module llm2hls_round_shift #(
  parameter integer X_BITS = 48,
  parameter integer S_BITS = 8,
  parameter integer LMAX = 0
) (
  input  wire signed [X_BITS-1:0]      x,
  input  wire signed [S_BITS-1:0]      s,
  output wire signed [X_BITS+LMAX:0]   y
);
  localparam integer W = X_BITS + LMAX + 1;
  localparam integer RMAX = X_BITS;
  localparam integer IW = $clog2(W);
  // Shift arithmetic width: holds s, -s, and RMAX, LMAX (both < W <= 2^IW).
  localparam integer RW = S_BITS + 2 > IW + 2 ? S_BITS + 2 : IW + 2;

  wire signed [W-1:0] xw = {{(LMAX + 1){x[X_BITS-1]}}, x};
  // Right-shift amount clamped to RMAX; left-shift amount clamped to LMAX.
  localparam signed [RW-1:0] RMAX_S = RMAX[RW-1:0];
  localparam signed [RW-1:0] LMAX_S = LMAX[RW-1:0];
  wire signed [RW-1:0] sx = {{(RW - S_BITS){s[S_BITS-1]}}, s};
  wire signed [RW-1:0] nsx = -sx;
  wire [RW-1:0] r = sx > RMAX_S ? RMAX_S : sx;
  wire [RW-1:0] l = nsx > LMAX_S ? LMAX_S : nsx;

  wire [W-1:0] one = {{(W - 1){1'b0}}, 1'b1};
  wire [IW-1:0] ri = r[IW-1:0];  // r <= X_BITS < W
  wire signed [W-1:0] bias = $signed((one << (r - 1'b1)) - one + {{(W - 1){1'b0}}, xw[ri]});
  wire signed [W-1:0] right = (xw + bias) >>> r;
  wire signed [W-1:0] left = xw <<< l;

  assign y = sx > 0 ? right : left;
endmodule
`default_nettype wire
