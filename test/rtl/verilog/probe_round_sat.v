// Test-only stream wrapper of llm2hls_round_shift + llm2hls_sat, so the
// harness can drive the combinational primitives like any stream module:
// a beat {s (8 bits), x (X_BITS)} gives y = sat(round_shift(x, s), Y_BITS).
`default_nettype none
module probe_round_sat #(
  parameter integer X_BITS = 40,
  parameter integer Y_BITS = 16
) (
  input  wire                  clk,
  input  wire                  rst_n,
  input  wire                  in_valid,
  output wire                  in_ready,
  input  wire [X_BITS+7:0]     in_data,
  output reg                   out_valid,
  input  wire                  out_ready,
  output reg  [Y_BITS-1:0]     out_data
);
  wire signed [X_BITS+Y_BITS:0] r;
  wire [Y_BITS-1:0] y;
  llm2hls_round_shift #(.X_BITS(X_BITS), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(in_data[X_BITS-1:0]), .s(in_data[X_BITS+7:X_BITS]), .y(r));
  llm2hls_sat #(.X_BITS(X_BITS + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y));
  assign in_ready = !out_valid || out_ready;
  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (in_ready) out_valid <= in_valid;
    if (in_ready) out_data <= y;
  end
endmodule
`default_nettype wire
