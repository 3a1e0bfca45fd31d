// llm2hls_add: elementwise residual Add in fixed point, LANES elements per
// beat (llm2hls_fixed.h add_q): with F = max(fa, fb),
//   y = sat(round_shift((a << A_SHIFT) + (b << B_SHIFT), SHIFT), Y_BITS)
// A_SHIFT = F - fa, B_SHIFT = F - fb, SHIFT = F - fy (may be negative).
// a and b are joined beat by beat; the result is registered, so out_valid
// never depends on out_ready.
`default_nettype none
module llm2hls_add #(
  parameter integer LANES = 1,
  parameter integer X_BITS = 16,
  parameter integer Y_BITS = 16,
  parameter integer A_SHIFT = 0,
  parameter integer B_SHIFT = 0,
  parameter integer SHIFT = 0
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      a_valid,
  output wire                      a_ready,
  input  wire [LANES*X_BITS-1:0]   a_data,
  input  wire                      b_valid,
  output wire                      b_ready,
  input  wire [LANES*X_BITS-1:0]   b_data,
  output reg                       out_valid,
  input  wire                      out_ready,
  output reg  [LANES*Y_BITS-1:0]   out_data
);
  // The aligned sum needs the larger shift plus one carry bit.
  localparam integer SB = X_BITS + (A_SHIFT > B_SHIFT ? A_SHIFT : B_SHIFT) + 1;
  localparam integer LMAX = Y_BITS;
  localparam signed [7:0] SHIFT_S = SHIFT[7:0];

  wire take = !out_valid || out_ready;
  wire fire = a_valid && b_valid && take;
  assign a_ready = b_valid && take;
  assign b_ready = a_valid && take;

  wire [LANES*Y_BITS-1:0] y;
  genvar u;
  generate
    for (u = 0; u < LANES; u = u + 1) begin : lane
      wire signed [SB-1:0] xa = {{(SB - X_BITS){a_data[u*X_BITS+X_BITS-1]}}, a_data[u*X_BITS +: X_BITS]};
      wire signed [SB-1:0] xb = {{(SB - X_BITS){b_data[u*X_BITS+X_BITS-1]}}, b_data[u*X_BITS +: X_BITS]};
      wire signed [SB-1:0] sum = (xa <<< A_SHIFT) + (xb <<< B_SHIFT);
      wire signed [SB+LMAX:0] r;
      llm2hls_round_shift #(.X_BITS(SB), .S_BITS(8), .LMAX(LMAX)) rs (.x(sum), .s(SHIFT_S), .y(r));
      llm2hls_sat #(.X_BITS(SB + LMAX + 1), .Y_BITS(Y_BITS)) st (.x(r), .y(y[u*Y_BITS +: Y_BITS]));
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (take) out_valid <= fire;
    if (fire) out_data <= y;
  end
endmodule
`default_nettype wire
