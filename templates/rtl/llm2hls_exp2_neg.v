// llm2hls_exp2_neg: 2^(-a * 2^-16) in Q.16 for a >= 0 (llm2hls_fixed.h
// fx::exp2_neg), the softmax numerator, from the 257-entry EXP2 table
// (TABLE_FILE, its pair ROM):
//   n = a >> 16, i = (a >> 8) & 0xff, r = a & 0xff,
//   y = n >= 32 ? 0 : round_shift(lerp(EXP2, i, r, 8), n)
// Combinational, the ROM read asynchronously.
`default_nettype none
module llm2hls_exp2_neg #(
  parameter integer A_BITS = 34,
  parameter TABLE_FILE = "llm2hls_table_exp2.hex"
) (
  input  wire [A_BITS-1:0] a,
  output wire [16:0]       y
);
  reg [33:0] rom [0:256];
  initial $readmemh(TABLE_FILE, rom);

  wire [16:0] e;
  llm2hls_lerp #(.R_BITS(8)) lp (.pair(rom[{1'b0, a[15:8]}]), .r(a[7:0]), .y(e));
  // n < 32 needs every bit of a above bit 20 clear.
  wire in_range = a[A_BITS-1:21] == 0;
  wire signed [7:0] n = {3'b000, a[20:16]};
  /* verilator lint_off UNUSEDSIGNAL */
  wire signed [18:0] scaled;  // e >> n stays below 2^17
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_round_shift #(.X_BITS(18), .S_BITS(8), .LMAX(0)) rs (.x({1'b0, e}), .s(n), .y(scaled));
  assign y = in_range ? scaled[16:0] : 17'd0;
endmodule
`default_nettype wire
