// llm2hls_drain: takes and discards every beat (llm2hls_stream_ops.h drain:
// an output nothing uses), so its producer never stalls on it.
`default_nettype none
module llm2hls_drain #(
  parameter integer WIDTH = 16
) (
  input  wire             clk,
  input  wire             rst_n,
  input  wire             in_valid,
  output wire             in_ready,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [WIDTH-1:0] in_data
  /* verilator lint_on UNUSEDSIGNAL */
);
  assign in_ready = 1'b1;
  // clk, rst_n and in_valid are kept for the common port list.
  /* verilator lint_off UNUSEDSIGNAL */
  wire unused = clk ^ rst_n ^ in_valid;
  /* verilator lint_on UNUSEDSIGNAL */
endmodule
`default_nettype wire
