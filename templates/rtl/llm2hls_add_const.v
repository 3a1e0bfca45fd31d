// llm2hls_add_const: Add of a stream and a constant read from ROM
// (llm2hls_fixed.h add_q_const; GPT-2's position embeddings): element i of
// the stream meets c[i mod PERIOD], as in llm2hls_add
//   y = sat(round_shift((a << A_SHIFT) + (c << B_SHIFT), SHIFT), Y_BITS).
// C_FILE holds c in beats: PERIOD / LANES words of LANES x X_BITS (LANES
// divides PERIOD). It is llm2hls_add with its b stream always valid.
`default_nettype none
module llm2hls_add_const #(
  parameter integer LANES = 1,
  parameter integer PERIOD = 16,
  parameter integer X_BITS = 16,
  parameter integer Y_BITS = 16,
  parameter integer A_SHIFT = 0,
  parameter integer B_SHIFT = 0,
  parameter integer SHIFT = 0,
  parameter C_FILE = "c.hex"
) (
  input  wire                      clk,
  input  wire                      rst_n,
  input  wire                      a_valid,
  output wire                      a_ready,
  input  wire [LANES*X_BITS-1:0]   a_data,
  output wire                      out_valid,
  input  wire                      out_ready,
  output wire [LANES*Y_BITS-1:0]   out_data
);
  localparam integer CB = PERIOD / LANES;
  localparam integer JW = CB > 1 ? $clog2(CB) : 1;

  reg [LANES*X_BITS-1:0] crom [0:CB-1];
  initial $readmemh(C_FILE, crom);
  reg [JW-1:0] j;

  /* verilator lint_off UNUSEDSIGNAL */
  wire b_ready;  // = a_valid && a_ready: the constant never waits
  /* verilator lint_on UNUSEDSIGNAL */
  llm2hls_add #(.LANES(LANES), .X_BITS(X_BITS), .Y_BITS(Y_BITS), .A_SHIFT(A_SHIFT), .B_SHIFT(B_SHIFT), .SHIFT(SHIFT)) add (
    .clk(clk), .rst_n(rst_n), .a_valid(a_valid), .a_ready(a_ready), .a_data(a_data),
    .b_valid(1'b1), .b_ready(b_ready), .b_data(crom[j]),
    .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));

  always @(posedge clk) begin
    if (!rst_n) j <= 0;
    else if (a_valid && a_ready) j <= j == CB[JW-1:0] - 1'b1 ? {JW{1'b0}} : j + 1'b1;
  end
endmodule
`default_nettype wire
