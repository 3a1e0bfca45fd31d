// llm2hls_rsqrt: 1/sqrt(u) = r * 2^-16 * 2^-(e/2) for u >= 1 (llm2hls_fixed.h
// fx::rsqrt), from the 385-entry RSQRT table (TABLE_FILE, its pair ROM):
//   k = bit_length(u) - 1, e = k - (k & 1), un = floor_shift(u, e - 16) in [2^16, 2^18),
//   i = (un >> 9) - 128, r = lerp(RSQRT, i, un & 0x1ff, 9)
// Combinational, the ROM read asynchronously.
`default_nettype none
module llm2hls_rsqrt #(
  parameter integer U_BITS = 56,
  parameter TABLE_FILE = "llm2hls_table_rsqrt.hex"
) (
  input  wire [U_BITS-1:0] u,
  output wire [16:0]       r,
  output wire [6:0]        e
);
  reg [33:0] rom [0:384];
  initial $readmemh(TABLE_FILE, rom);

  wire [6:0] n;
  llm2hls_bit_length #(.X_BITS(U_BITS), .N_BITS(7)) bl (.x(u), .n(n));
  wire [6:0] k = n - 1'b1;
  assign e = k & 7'b1111110;
  // e >= 16: drop e - 16 bits; e < 16 (u < 2^18): shift left by 16 - e.
  wire [U_BITS+15:0] uw = {16'b0, u};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [U_BITS+15:0] unw = e >= 7'd16 ? uw >> (e - 7'd16) : uw << (7'd16 - e);  // < 2^18
  /* verilator lint_on UNUSEDSIGNAL */
  wire [17:0] un = unw[17:0];
  wire [8:0] i = un[17:9] - 9'd128;
  llm2hls_lerp #(.R_BITS(9)) lp (.pair(rom[i]), .r(un[8:0]), .y(r));
endmodule
`default_nettype wire
