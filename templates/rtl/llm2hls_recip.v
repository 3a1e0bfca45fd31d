// llm2hls_recip: 1/z = r * 2^-(16 + k) for z >= 1 (llm2hls_fixed.h fx::recip),
// the softmax normalization, from the 257-entry RECIP table (TABLE_FILE,
// its pair ROM):
//   k = bit_length(z) - 1, zn = floor_shift(z, k - 16) in [2^16, 2^17),
//   i = (zn >> 8) - 256, r = lerp(RECIP, i, zn & 0xff, 8)
// Combinational, the ROM read asynchronously.
`default_nettype none
module llm2hls_recip #(
  parameter integer Z_BITS = 40,
  parameter TABLE_FILE = "llm2hls_table_recip.hex"
) (
  input  wire [Z_BITS-1:0] z,
  output wire [16:0]       r,
  output wire [6:0]        k
);
  reg [33:0] rom [0:256];
  initial $readmemh(TABLE_FILE, rom);

  wire [6:0] n;
  llm2hls_bit_length #(.X_BITS(Z_BITS), .N_BITS(7)) bl (.x(z), .n(n));
  assign k = n - 1'b1;
  wire [Z_BITS+15:0] zw = {16'b0, z};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [Z_BITS+15:0] znw = k >= 7'd16 ? zw >> (k - 7'd16) : zw << (7'd16 - k);  // < 2^17
  /* verilator lint_on UNUSEDSIGNAL */
  wire [16:0] zn = znw[16:0];
  wire [8:0] i = zn[16:8] - 9'd256;
  llm2hls_lerp #(.R_BITS(8)) lp (.pair(rom[i]), .r(zn[7:0]), .y(r));
endmodule
`default_nettype wire
