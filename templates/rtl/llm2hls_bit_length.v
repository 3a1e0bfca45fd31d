// llm2hls_bit_length: position of the leading one plus one (llm2hls_fixed.h
// fx::bit_length), a priority encoder; 0 for x = 0.
`default_nettype none
module llm2hls_bit_length #(
  parameter integer X_BITS = 64,
  parameter integer N_BITS = 7
) (
  input  wire [X_BITS-1:0] x,
  output reg  [N_BITS-1:0] n
);
  integer b;
  always @* begin
    n = {N_BITS{1'b0}};
    for (b = 0; b < X_BITS; b = b + 1)
      if (x[b]) n = b[N_BITS-1:0] + 1'b1;
  end
endmodule
`default_nettype wire
