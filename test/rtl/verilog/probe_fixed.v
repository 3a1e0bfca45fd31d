// Test-only stream wrapper of the combinational fixed-point primitives, so
// the harness drives them like any stream module; OP picks one per build:
//   0: y = sat(round_shift(x, s), Y_BITS)   in {s[47:40], x[39:0]}  out y
//   1: y = exp2_neg(a)                       in a[33:0]             out y[16:0]
//   2: (r, k) = recip(z)                     in z[39:0]             out {k[30:24], r[16:0]}
//   3: (r, e) = rsqrt(u)                     in u[55:0]             out {e[30:24], r[16:0]}
`default_nettype none
module probe_fixed #(
  parameter integer OP = 0,
  parameter integer Y_BITS = 16
) (
  input  wire        clk,
  input  wire        rst_n,
  input  wire        in_valid,
  output wire        in_ready,
  input  wire [63:0] in_data,
  output reg         out_valid,
  input  wire        out_ready,
  output reg  [31:0] out_data
);
  wire [31:0] y;
  generate
    if (OP == 0) begin : round_sat
      wire signed [40+Y_BITS:0] r;
      wire [Y_BITS-1:0] v;
      llm2hls_round_shift #(.X_BITS(40), .S_BITS(8), .LMAX(Y_BITS)) rs (.x(in_data[39:0]), .s(in_data[47:40]), .y(r));
      llm2hls_sat #(.X_BITS(41 + Y_BITS), .Y_BITS(Y_BITS)) st (.x(r), .y(v));
      assign y = {{(32 - Y_BITS){v[Y_BITS-1]}}, v};
    end else if (OP == 1) begin : exp2
      wire [16:0] v;
      llm2hls_exp2_neg #(.A_BITS(34)) ex (.a(in_data[33:0]), .y(v));
      assign y = {15'd0, v};
    end else if (OP == 2) begin : recip
      wire [16:0] r;
      wire [6:0] k;
      llm2hls_recip #(.Z_BITS(40)) rc (.z(in_data[39:0]), .r(r), .k(k));
      assign y = {1'b0, k, 7'd0, r};
    end else begin : rsqrt
      wire [16:0] r;
      wire [6:0] e;
      llm2hls_rsqrt #(.U_BITS(56)) rq (.u(in_data[55:0]), .r(r), .e(e));
      assign y = {1'b0, e, 7'd0, r};
    end
  endgenerate
  assign in_ready = !out_valid || out_ready;
  always @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else if (in_ready) out_valid <= in_valid;
    if (in_ready) out_data <= y;
  end
endmodule
`default_nettype wire
