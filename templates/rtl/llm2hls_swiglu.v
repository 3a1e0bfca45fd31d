// llm2hls_swiglu: llm.SwiGLU in fixed point, LANES elements per beat
// (llm2hls_fixed.h swiglu_q):
//   y = sat(round_shift(g * sigmoid(g) * u, SHIFT), Y_BITS),   SHIFT = fg + 16 + fu - fy
// with G_FRAC = fg, the sigmoid gate from TABLE_FILE (its pair ROM). The gate
// and up streams are joined beat by beat; the result is registered.
`default_nettype none
module llm2hls_swiglu #(
  parameter integer LANES = 1,
  parameter integer X_BITS = 16,
  parameter integer G_FRAC = 12,
  parameter integer Y_BITS = 16,
  parameter integer SHIFT = 28,
  parameter TABLE_FILE = "llm2hls_table_sigmoid.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      gate_valid,
  output wire                      gate_ready,
  input  wire [LANES*X_BITS-1:0]   gate_data,
  input  wire                      up_valid,
  output wire                      up_ready,
  input  wire [LANES*X_BITS-1:0]   up_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  localparam integer PB = 2 * X_BITS + 18;  // g times the 17-bit unsigned gate times u
  localparam signed [7:0] SHIFT_S = SHIFT[7:0];

  wire take = !out_valid || out_ready;
  wire fire = gate_valid && up_valid && take;
  assign gate_ready = up_valid && take;
  assign up_ready = gate_valid && take;

  wire [LANES*Y_BITS-1:0] y;
  genvar l;
  generate
    for (l = 0; l < LANES; l = l + 1) begin : lane
      wire signed [X_BITS-1:0] g = gate_data[l*X_BITS +: X_BITS];
      wire signed [X_BITS-1:0] u = up_data[l*X_BITS +: X_BITS];
      wire [16:0] s;
      llm2hls_gate #(.X_BITS(X_BITS), .X_FRAC(G_FRAC), .TABLE_FILE(TABLE_FILE)) gt (.x(g), .g(s));
      // g * s first, in its exact X_BITS + 18 bits, then times u: one DSP48 for
      // g * s and two for the product with u (the three-way PB-bit product took nine).
      wire signed [X_BITS+17:0] gs = {{18{g[X_BITS-1]}}, g} * $signed({{(X_BITS + 1){1'b0}}, s});
      wire signed [PB-1:0] p = {{(PB - X_BITS - 18){gs[X_BITS+17]}}, gs} * {{(PB - X_BITS){u[X_BITS-1]}}, u};
      wire signed [PB+Y_BITS:0] r;
      llm2hls_round_shift #(.X_BITS(PB), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(p), .s(SHIFT_S), .y(r));
      llm2hls_sat #(.X_BITS(PB + Y_BITS + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[l*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (take) out_valid <= fire;
    if (fire) out_data <= y;
  end
endmodule
`default_nettype wire
