// llm2hls_sat: y = sat(x, Y_BITS) (llm2hls_fixed.h fx::sat): clamps a signed
// X_BITS value into the signed Y_BITS range, the contract's one overflow mode.
`default_nettype none
module llm2hls_sat #(
  parameter integer X_BITS = 32,
  parameter integer Y_BITS = 16
) (
  input  wire signed [X_BITS-1:0] x,
  output wire signed [Y_BITS-1:0] y
);
  generate
    if (X_BITS <= Y_BITS) begin : widen
      assign y = {{(Y_BITS - X_BITS){x[X_BITS-1]}}, x};
    end else begin : narrow
      // In range iff the dropped high bits all equal the kept sign bit.
      wire sign = x[X_BITS-1];
      wire fits = x[X_BITS-1:Y_BITS-1] == {(X_BITS - Y_BITS + 1){sign}};
      assign y = fits ? x[Y_BITS-1:0] : {sign, {(Y_BITS - 1){!sign}}};
    end
  endgenerate
endmodule
`default_nettype wire
