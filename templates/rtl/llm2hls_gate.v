// llm2hls_gate: the gate g(x) in Q.16 of x with X_FRAC fraction bits
// (llm2hls_fixed.h fx::gate), from a 2049-entry table on x in [-16, 16]
// (sigmoid for SiLU, Phi or the tanh gate for GELU; TABLE_FILE is its pair ROM):
//   xs = clamp(floor_shift(x, X_FRAC - 16), -2^20, 2^20)   (x in Q.16)
//   u = xs + 2^20, i = u >> 10, r = u & 0x3ff, g = lerp(T, i, r, 10)
// Combinational, the ROM read asynchronously (one per lane that uses it).
`default_nettype none
module llm2hls_gate #(
  parameter integer X_BITS = 16,
  parameter integer X_FRAC = 12,
  parameter TABLE_FILE = "llm2hls_table_sigmoid.hex"
) (
  input  wire signed [X_BITS-1:0] x,
  output wire        [16:0]       g
);
  localparam integer S = X_FRAC - 16;
  // A left shift by 22 or more saturates every nonzero x, so 22 is enough.
  localparam integer L = S < 0 ? (-S > 22 ? 22 : -S) : 0;
  localparam integer R = S > 0 ? S : 0;
  localparam integer XW = X_BITS + L;
  localparam integer CW = XW > 23 ? XW : 23;  // room for +-2^20 and u

  reg [33:0] rom [0:2048];
  initial $readmemh(TABLE_FILE, rom);

  wire signed [XW-1:0] xl = {{L{x[X_BITS-1]}}, x};
  wire signed [XW-1:0] xq = R > 0 ? (xl >>> R) : (xl <<< L);
  wire signed [CW-1:0] xc = {{(CW - XW){xq[XW-1]}}, xq};
  localparam signed [CW-1:0] LIM = 1 << 20;
  wire signed [CW-1:0] xs = xc > LIM ? LIM : xc < -LIM ? -LIM : xc;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CW-1:0] u = xs + LIM;  // in [0, 2^21]: bits 21..0
  /* verilator lint_on UNUSEDSIGNAL */
  wire [11:0] i = u[21:10];
  llm2hls_lerp #(.R_BITS(10)) lp (.pair(rom[i]), .r(u[9:0]), .y(g));
endmodule
`default_nettype wire
