// llm2hls_fifo: a valid/ready stream FIFO of DEPTH beats of WIDTH bits, the
// hardware of one planned stream (hls::stream depth=DEPTH in the C++ top).
// in_ready depends only on the fill level and out_valid only on it too, so
// a FIFO between two modules cuts every combinational valid/ready path.
// Reads are asynchronous (LUTRAM); the planner's depths are small.
`default_nettype none
module llm2hls_fifo #(
  parameter integer WIDTH = 16,
  parameter integer DEPTH = 2
) (
  input  wire             clk,
  input  wire             rst_n,
  input  wire             in_valid,
  output wire             in_ready,
  input  wire [WIDTH-1:0] in_data,
  output wire             out_valid,
  input  wire             out_ready,
  output wire [WIDTH-1:0] out_data
);
  localparam integer AW = DEPTH > 1 ? $clog2(DEPTH) : 1;

  reg [WIDTH-1:0] mem [0:DEPTH-1];
  reg [AW-1:0] wr, rd;
  reg [AW:0] count;

  wire push = in_valid && in_ready;
  wire pop = out_valid && out_ready;
  assign in_ready = count != DEPTH[AW:0];
  assign out_valid = count != 0;
  assign out_data = mem[rd];

  // Pointers wrap at DEPTH, which need not be a power of two.
  function [AW-1:0] next(input [AW-1:0] p);
    next = p == DEPTH[AW-1:0] - 1'b1 || DEPTH == 1 ? {AW{1'b0}} : p + 1'b1;
  endfunction

  always @(posedge clk) begin
    if (push) mem[wr] <= in_data;
    if (!rst_n) begin
      wr <= 0;
      rd <= 0;
      count <= 0;
    end else begin
      if (push) wr <= next(wr);
      if (pop) rd <= next(rd);
      if (push && !pop) count <= count + 1'b1;
      else if (pop && !push) count <= count - 1'b1;
    end
  end
endmodule
`default_nettype wire
