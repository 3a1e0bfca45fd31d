// llm2hls_fork2: one stream to two (llm2hls_stream_ops.h fork2): every beat
// of `in` goes to both `a` and `b`. Each output takes it when it is ready;
// the input beat retires once both have it, so a slow consumer stalls only
// the input, never the other consumer's copy of the current beat.
`default_nettype none
module llm2hls_fork2 #(
  parameter integer WIDTH = 16
) (
  input  wire             clk,
  input  wire             rst_n,
  input  wire             in_valid,
  output wire             in_ready,
  input  wire [WIDTH-1:0] in_data,
  output wire             a_valid,
  input  wire             a_ready,
  output wire [WIDTH-1:0] a_data,
  output wire             b_valid,
  input  wire             b_ready,
  output wire [WIDTH-1:0] b_data
);
  // Which outputs already took the current input beat.
  reg a_done, b_done;
  wire a_ok = a_done || a_ready;
  wire b_ok = b_done || b_ready;

  assign a_valid = in_valid && !a_done;
  assign b_valid = in_valid && !b_done;
  assign a_data = in_data;
  assign b_data = in_data;
  assign in_ready = a_ok && b_ok;

  always @(posedge clk) begin
    if (!rst_n || (in_valid && in_ready)) begin
      a_done <= 1'b0;
      b_done <= 1'b0;
    end else begin
      if (a_valid && a_ready) a_done <= 1'b1;
      if (b_valid && b_ready) b_done <= 1'b1;
    end
  end
endmodule
`default_nettype wire
