// llm2hls_split2: splits each row of W0 + W1 elements into its first W0
// (to a) and its last W1 (to b) (llm2hls_stream_ops.h split2). A beat holds
// LANES elements of EL_BITS; LANES divides W0 and W1, so no beat straddles
// the cut. Beats pass through unregistered, like llm2hls_fork2.
`default_nettype none
module llm2hls_split2 #(
  parameter integer EL_BITS = 16,
  parameter integer LANES = 1,
  parameter integer W0 = 4,
  parameter integer W1 = 4
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      in_valid,
  output wire                      in_ready,
  input  wire [LANES*EL_BITS-1:0]  in_data,
  output wire                      a_valid,
  input  wire                      a_ready,
  output wire [LANES*EL_BITS-1:0]  a_data,
  output wire                      b_valid,
  input  wire                      b_ready,
  output wire [LANES*EL_BITS-1:0]  b_data
);
  localparam integer RB = (W0 + W1) / LANES;  // beats a row
  localparam integer BW = RB > 1 ? $clog2(RB) : 1;
  localparam integer CUT_BEAT = W0 / LANES;
  localparam [BW-1:0] CUT = CUT_BEAT[BW-1:0];  // the first beat of b's part

  reg [BW-1:0] beat;
  wire to_b = beat >= CUT;
  assign a_valid = in_valid && !to_b;
  assign b_valid = in_valid && to_b;
  assign a_data = in_data;
  assign b_data = in_data;
  assign in_ready = to_b ? b_ready : a_ready;

  always @(posedge clk) begin
    if (!rst_n) beat <= 0;
    else if (in_valid && in_ready) beat <= beat == RB[BW-1:0] - 1'b1 ? {BW{1'b0}} : beat + 1'b1;
  end
endmodule
`default_nettype wire
