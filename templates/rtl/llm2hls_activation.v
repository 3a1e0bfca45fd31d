// llm2hls_activation: llm.Gelu / llm.SiLU in fixed point, LANES elements per
// beat (llm2hls_fixed.h gate_q):
//   y = sat(round_shift(x * gate(x), SHIFT), Y_BITS),   SHIFT = fx + 16 - fy
// with the gate table of the op as TABLE_FILE (backend-rtl/tables.ts:
// llm2hls_table_sigmoid.hex for SiLU, _gelu_erf_gate / _gelu_tanh_gate for
// GELU). Each lane has its own table read; the result is registered.
`default_nettype none
module llm2hls_activation #(
  parameter integer LANES = 1,
  parameter integer X_BITS = 16,
  parameter integer X_FRAC = 12,
  parameter integer Y_BITS = 16,
  parameter integer SHIFT = 16,
  parameter TABLE_FILE = "llm2hls_table_sigmoid.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      in_valid,
  output wire                      in_ready,
  input  wire [LANES*X_BITS-1:0]   in_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  localparam integer PB = X_BITS + 18;  // x times the 17-bit unsigned gate
  localparam signed [7:0] SHIFT_S = SHIFT[7:0];

  assign in_ready = !out_valid || out_ready;
  wire fire = in_valid && in_ready;

  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [X_BITS-1:0] x = in_data[u*X_BITS +: X_BITS];
      wire [16:0] g;
      llm2hls_gate #(.X_BITS(X_BITS), .X_FRAC(X_FRAC), .TABLE_FILE(TABLE_FILE)) gt (.x(x), .g(g));
      wire signed [PB-1:0] p = {{18{x[X_BITS-1]}}, x} * $signed({{(PB - 17){1'b0}}, g});
      wire signed [PB+Y_BITS:0] r;
      llm2hls_round_shift #(.X_BITS(PB), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(p), .s(SHIFT_S), .y(r));
      llm2hls_sat #(.X_BITS(PB + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (in_ready) out_valid <= fire;
    if (fire) out_data <= y;
  end
endmodule
`default_nettype wire
