// llm2hls_lerp: the one interpolation of the lookup tables (llm2hls_fixed.h
// fx::lerp): y = t0 + round_shift((t1 - t0) * r, R_BITS), with {t1, t0} =
// {T[i+1], T[i]} one word of a pair ROM (backend-rtl/tables.ts) and r the
// R_BITS-bit remainder. Entries are 17-bit unsigned (Q.16 in [0, 1]).
`default_nettype none
module llm2hls_lerp #(
  parameter integer R_BITS = 10
) (
  input  wire [33:0]       pair,
  input  wire [R_BITS-1:0] r,
  output wire [16:0]       y
);
  localparam integer PB = 18 + R_BITS + 1;  // signed delta (18) times unsigned r
  localparam signed [7:0] RS = R_BITS[7:0];
  wire signed [17:0] t0 = {1'b0, pair[16:0]};
  wire signed [17:0] t1 = {1'b0, pair[33:17]};
  wire signed [17:0] d = t1 - t0;
  wire signed [PB-1:0] p = {{(PB - 18){d[17]}}, d} * $signed({{(PB - R_BITS){1'b0}}, r});
  wire signed [PB:0] step;
  llm2hls_round_shift #(.X_BITS(PB), .S_BITS(8), .LMAX(0)) rs (.x(p), .s(RS), .y(step));
  // The result stays within [min(t0, t1), max(t0, t1)]: its low 17 bits are all of it.
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [PB:0] sum = {{(PB + 1 - 18){1'b0}}, t0} + step;
  /* verilator lint_on UNUSEDSIGNAL */
  assign y = sum[16:0];
endmodule
`default_nettype wire
